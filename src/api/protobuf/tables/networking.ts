// k8s.io/api/networking/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const networking: MessageTable = {
  NetworkPolicy: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'NetworkPolicySpec'],
  ],
  NetworkPolicySpec: [
    [1, 'podSelector', 'meta.LabelSelector'],
    [2, 'ingress', 'NetworkPolicyIngressRule', 'rep'],
    [3, 'egress', 'NetworkPolicyEgressRule', 'rep'],
    [4, 'policyTypes', 'string', 'rep'],
  ],
  NetworkPolicyIngressRule: [
    [1, 'ports', 'NetworkPolicyPort', 'rep'],
    [2, 'from', 'NetworkPolicyPeer', 'rep'],
  ],
  NetworkPolicyEgressRule: [
    [1, 'ports', 'NetworkPolicyPort', 'rep'],
    [2, 'to', 'NetworkPolicyPeer', 'rep'],
  ],
  NetworkPolicyPort: [
    [1, 'protocol', 'string', 'keep'],
    [2, 'port', 'IntOrString', 'keep'],
    [3, 'endPort', 'int32', 'keep'],
  ],
  IPBlock: [
    [1, 'cidr', 'string', 'keep'],
    [2, 'except', 'string', 'rep'],
  ],
  NetworkPolicyPeer: [
    [1, 'podSelector', 'meta.LabelSelector'],
    [2, 'namespaceSelector', 'meta.LabelSelector'],
    [3, 'ipBlock', 'IPBlock'],
  ],
  Ingress: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'IngressSpec'],
    [3, 'status', 'IngressStatus'],
  ],
  IngressSpec: [
    [4, 'ingressClassName', 'string', 'keep'],
    [1, 'defaultBackend', 'IngressBackend'],
    [2, 'tls', 'IngressTLS', 'rep'],
    [3, 'rules', 'IngressRule', 'rep'],
  ],
  IngressTLS: [
    [1, 'hosts', 'string', 'rep'],
    [2, 'secretName', 'string'],
  ],
  IngressStatus: [[1, 'loadBalancer', 'IngressLoadBalancerStatus']],
  IngressLoadBalancerStatus: [[1, 'ingress', 'IngressLoadBalancerIngress', 'rep']],
  IngressLoadBalancerIngress: [
    [1, 'ip', 'string'],
    [2, 'hostname', 'string'],
    [4, 'ports', 'IngressPortStatus', 'rep'],
  ],
  IngressPortStatus: [
    [1, 'port', 'int32', 'keep'],
    [2, 'protocol', 'string', 'keep'],
    [3, 'error', 'string', 'keep'],
  ],
  IngressRule: [
    [1, 'host', 'string'],
    [2, '', 'IngressRuleValue', 'inline'],
  ],
  IngressRuleValue: [[1, 'http', 'HTTPIngressRuleValue']],
  HTTPIngressRuleValue: [[1, 'paths', 'HTTPIngressPath', 'rep']],
  HTTPIngressPath: [
    [1, 'path', 'string'],
    [3, 'pathType', 'string', 'keep'],
    [2, 'backend', 'IngressBackend'],
  ],
  IngressBackend: [
    [4, 'service', 'IngressServiceBackend'],
    [3, 'resource', 'core.TypedLocalObjectReference'],
  ],
  IngressServiceBackend: [
    [1, 'name', 'string', 'keep'],
    [2, 'port', 'ServiceBackendPort'],
  ],
  ServiceBackendPort: [
    [1, 'name', 'string'],
    [2, 'number', 'int32'],
  ],
  IngressClass: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'IngressClassSpec'],
  ],
  IngressClassSpec: [
    [1, 'controller', 'string'],
    [2, 'parameters', 'IngressClassParametersReference'],
  ],
  IngressClassParametersReference: [
    [1, 'apiGroup', 'string', 'keep'],
    [2, 'kind', 'string', 'keep'],
    [3, 'name', 'string', 'keep'],
    [4, 'scope', 'string', 'keep'],
    [5, 'namespace', 'string', 'keep'],
  ],
};
