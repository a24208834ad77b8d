// Realistic objects, one or more per kind the protobuf decoder serves, in the JSON form the Go
// server prints (no zero-valued non-pointer fields, whole-second times, MicroTime with
// microseconds). roundtrip.test.ts encodes and decodes each and expects it back unchanged.

type Obj = Record<string, unknown>;

const T1 = '2026-01-02T03:04:05Z';
const T2 = '2026-01-02T03:09:59Z';
const MICRO = '2026-01-02T03:04:05.000123Z';

const meta = (name: string, namespace?: string, extra: Obj = {}): Obj => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `${name}-uid-0001`,
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: T1,
  labels: { app: 'web', tier: 'frontend' },
  annotations: { 'skiff.dev/note': 'round trip' },
  ...extra,
});

const podSpec: Obj = {
  volumes: [
    { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    {
      name: 'config',
      configMap: {
        name: 'web-config',
        items: [{ key: 'app.yaml', path: 'app.yaml', mode: 420 }],
        defaultMode: 420,
        optional: false,
      },
    },
    { name: 'creds', secret: { secretName: 'web-creds', defaultMode: 256 } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'web-data', readOnly: true } },
    {
      name: 'projected',
      projected: {
        sources: [
          { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
          {
            downwardAPI: {
              items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }],
            },
          },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        ],
        defaultMode: 420,
      },
    },
  ],
  initContainers: [
    {
      name: 'init',
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo init'],
      restartPolicy: 'Always',
      resources: {},
    },
  ],
  containers: [
    {
      name: 'web',
      image: 'nginx:1.27',
      args: ['-g', 'daemon off;'],
      workingDir: '/srv',
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9090, hostPort: 19090, protocol: 'TCP', hostIP: '127.0.0.1' },
      ],
      envFrom: [
        { prefix: 'CFG_', configMapRef: { name: 'web-config', optional: true } },
        { secretRef: { name: 'web-creds' } },
      ],
      env: [
        { name: 'MODE', value: 'production' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        {
          name: 'CPU_LIMIT',
          valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.cpu', divisor: '1m' } },
        },
        {
          name: 'PASSWORD',
          valueFrom: { secretKeyRef: { name: 'web-creds', key: 'password', optional: false } },
        },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'level' } } },
      ],
      resources: {
        limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
        requests: { cpu: '100m', memory: '128Mi' },
      },
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'config', mountPath: '/etc/web', readOnly: true, subPath: 'app.yaml' },
        {
          name: 'host',
          mountPath: '/host/log',
          mountPropagation: 'HostToContainer',
          recursiveReadOnly: 'Disabled',
        },
      ],
      livenessProbe: {
        httpGet: {
          path: '/healthz',
          port: 'http',
          scheme: 'HTTP',
          httpHeaders: [{ name: 'X-Probe', value: 'live' }],
        },
        initialDelaySeconds: 5,
        timeoutSeconds: 2,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
        terminationGracePeriodSeconds: 0,
      },
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
      startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30, periodSeconds: 1 },
      lifecycle: {
        postStart: { exec: { command: ['sh', '-c', 'echo started'] } },
        preStop: { sleep: { seconds: 5 } },
      },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      imagePullPolicy: 'IfNotPresent',
      securityContext: {
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        privileged: false,
        runAsUser: 1000,
        runAsGroup: 1000,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      stdin: true,
      tty: true,
    },
    { name: 'grpc', image: 'grpc-health:1', livenessProbe: { grpc: { port: 9000, service: '' } } },
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  activeDeadlineSeconds: 600,
  dnsPolicy: 'ClusterFirst',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  serviceAccountName: 'web',
  automountServiceAccountToken: false,
  nodeName: 'node-1',
  hostNetwork: true,
  shareProcessNamespace: true,
  securityContext: {
    runAsUser: 1000,
    runAsNonRoot: true,
    supplementalGroups: [2000, 3000],
    fsGroup: 2000,
    sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
    fsGroupChangePolicy: 'OnRootMismatch',
  },
  imagePullSecrets: [{ name: 'registry' }],
  hostname: 'web-0',
  subdomain: 'web',
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 10,
          preference: { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-9'] }] },
        },
      ],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
            namespaces: ['default'],
            topologyKey: 'topology.kubernetes.io/zone',
          },
        },
      ],
    },
  },
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
  ],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
  priorityClassName: 'high',
  priority: 1000,
  dnsConfig: {
    nameservers: ['1.1.1.1'],
    searches: ['svc.cluster.local'],
    options: [{ name: 'ndots', value: '2' }],
  },
  readinessGates: [{ conditionType: 'skiff.dev/ready' }],
  runtimeClassName: 'runc',
  enableServiceLinks: false,
  preemptionPolicy: 'PreemptLowerPriority',
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'web' } },
      minDomains: 1,
    },
  ],
  os: { name: 'linux' },
  hostUsers: false,
  schedulingGates: [{ name: 'skiff.dev/wait' }],
};

const podStatus: Obj = {
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: 'True', lastTransitionTime: T2 },
    { type: 'PodScheduled', status: 'True', lastProbeTime: T1, lastTransitionTime: T1, reason: 'Scheduled' },
  ],
  hostIP: '192.168.1.10',
  hostIPs: [{ ip: '192.168.1.10' }],
  podIP: '10.42.0.7',
  podIPs: [{ ip: '10.42.0.7' }],
  startTime: T1,
  containerStatuses: [
    {
      name: 'web',
      state: { running: { startedAt: T2 } },
      lastState: {
        terminated: {
          exitCode: 137,
          signal: 9,
          reason: 'OOMKilled',
          message: 'killed',
          startedAt: T1,
          finishedAt: T2,
          containerID: 'runc://abc',
        },
      },
      ready: true,
      restartCount: 0,
      image: 'nginx:1.27',
      imageID: 'sha256:0123',
      containerID: 'runc://def',
      started: true,
    },
    {
      name: 'grpc',
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
      ready: false,
      restartCount: 4,
      image: 'grpc-health:1',
      imageID: '',
    },
  ],
  qosClass: 'Burstable',
};

const templateSpec: Obj = {
  metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': T1 } },
  spec: {
    containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }],
    restartPolicy: 'Always',
  },
};

const selector: Obj = {
  matchLabels: { app: 'web' },
  matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
};

const deleteOptions: Obj = {
  gracePeriodSeconds: 0,
  preconditions: { uid: 'pod-uid', resourceVersion: '7' },
  propagationPolicy: 'Foreground',
  dryRun: ['All'],
};

export const ROUND_TRIP_OBJECTS: ReadonlyArray<readonly [name: string, obj: Obj]> = [
  [
    'Namespace',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta('skiff-ns', undefined, { finalizers: ['skiff.dev/cleanup'] }),
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Active',
        conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: T1 }],
      },
    },
  ],
  [
    'Pod',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web-0', 'default', {
        generateName: 'web-',
        deletionTimestamp: T2,
        deletionGracePeriodSeconds: 30,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: 'web',
            uid: 'sts-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: ['skiff.dev/protect'],
        managedFields: [
          {
            manager: 'kubectl-client-side-apply',
            operation: 'Update',
            apiVersion: 'v1',
            time: T1,
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
          },
        ],
      }),
      spec: podSpec,
      status: podStatus,
    },
  ],
  [
    'Service',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web', 'default'),
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
          { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics' },
        ],
        selector: { app: 'web' },
        clusterIP: '10.43.0.20',
        clusterIPs: ['10.43.0.20'],
        type: 'LoadBalancer',
        externalIPs: ['192.168.1.100'],
        sessionAffinity: 'ClientIP',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31000,
        publishNotReadyAddresses: true,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        allocateLoadBalancerNodePorts: true,
        loadBalancerClass: 'skiff.dev/lb',
        internalTrafficPolicy: 'Cluster',
        trafficDistribution: 'PreferClose',
      },
      status: {
        loadBalancer: {
          ingress: [
            { ip: '192.168.1.100', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP', error: 'Pending' }] },
          ],
        },
        conditions: [
          {
            type: 'LoadBalancerPortsError',
            status: 'False',
            observedGeneration: 2,
            lastTransitionTime: T1,
            reason: 'Ok',
            message: '',
          },
        ],
      },
    },
  ],
  [
    'ExternalNameService',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext', namespace: 'default' },
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
      status: { loadBalancer: {} },
    },
  ],
  [
    'Endpoints',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web', 'default'),
      subsets: [
        {
          addresses: [
            {
              ip: '10.42.0.7',
              hostname: 'web-0',
              nodeName: 'node-1',
              targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'pod-uid' },
            },
          ],
          notReadyAddresses: [{ ip: '10.42.0.8' }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
        },
      ],
    },
  ],
  [
    'ConfigMap',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('web-config', 'default'),
      immutable: false,
      data: { 'app.yaml': 'level: debug\n', empty: '', unicode: 'héllo ✓' },
      binaryData: { 'blob.bin': 'AAECA/7/' },
    },
  ],
  [
    'Secret',
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('web-creds', 'default'),
      immutable: true,
      data: { password: 'czNjcjN0', empty: '', binary: '/wD+AQ==' },
      stringData: { token: 'plain-text' },
      type: 'Opaque',
    },
  ],
  [
    'ServiceAccount',
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('web', 'default'),
      secrets: [{ name: 'web-token' }],
      imagePullSecrets: [{ name: 'registry' }],
      automountServiceAccountToken: false,
    },
  ],
  [
    'Node',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('node-1'),
      spec: {
        podCIDR: '10.42.0.0/24',
        podCIDRs: ['10.42.0.0/24'],
        providerID: 'skiff://node-1',
        unschedulable: true,
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: T1 }],
      },
      status: {
        capacity: { cpu: '2', memory: '24Gi', pods: '110' },
        allocatable: { cpu: '1900m', memory: '23Gi', pods: '110' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTime: T2,
            lastTransitionTime: T1,
            reason: 'KubeletReady',
            message: 'ready',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: '192.168.1.10' },
          { type: 'Hostname', address: 'node-1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: 'm',
          systemUUID: 's',
          bootID: 'b',
          kernelVersion: '6.1.0',
          osImage: 'Debian GNU/Linux 12',
          containerRuntimeVersion: 'skiff://0.1.0',
          kubeletVersion: 'v1.32.0-skiff',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
        images: [{ names: ['nginx:1.27'], sizeBytes: 67_108_864 }],
        volumesInUse: ['kubernetes.io/csi/vol'],
        volumesAttached: [{ name: 'kubernetes.io/csi/vol', devicePath: '/dev/sdb' }],
      },
    },
  ],
  [
    'Event',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-0.17f', 'default'),
      involvedObject: {
        kind: 'Pod',
        namespace: 'default',
        name: 'web-0',
        uid: 'pod-uid',
        apiVersion: 'v1',
        resourceVersion: '41',
        fieldPath: 'spec.containers{web}',
      },
      reason: 'Pulled',
      message: 'Successfully pulled image',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: T1,
      lastTimestamp: T2,
      count: 3,
      type: 'Normal',
      eventTime: MICRO,
      series: { count: 2, lastObservedTime: MICRO },
      action: 'Pulling',
      related: { kind: 'Node', name: 'node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    },
  ],
  [
    'LimitRange',
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('limits', 'default'),
      spec: {
        limits: [
          {
            type: 'Container',
            max: { cpu: '2' },
            min: { cpu: '10m' },
            default: { cpu: '500m' },
            defaultRequest: { cpu: '100m' },
            maxLimitRequestRatio: { cpu: '4' },
          },
          { type: 'PersistentVolumeClaim', max: { storage: '10Gi' } },
        ],
      },
    },
  ],
  [
    'ResourceQuota',
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('quota', 'default'),
      spec: {
        hard: { cpu: '4', memory: '8Gi', pods: '20' },
        scopes: ['NotTerminating'],
        scopeSelector: {
          matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }],
        },
      },
      status: { hard: { cpu: '4' }, used: { cpu: '1500m' } },
    },
  ],
  [
    'PersistentVolume',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta('pv-1'),
      spec: {
        capacity: { storage: '10Gi' },
        hostPath: { path: '/var/lib/skiff/pv-1', type: 'DirectoryOrCreate' },
        accessModes: ['ReadWriteOnce'],
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'web-data', uid: 'pvc-uid' },
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'local',
        mountOptions: ['noatime'],
        volumeMode: 'Filesystem',
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] },
            ],
          },
        },
      },
      status: { phase: 'Bound', lastPhaseTransitionTime: T1 },
    },
  ],
  [
    'CSIPersistentVolume',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-csi' },
      spec: {
        csi: {
          driver: 'csi.skiff.dev',
          volumeHandle: 'vol-1',
          fsType: 'ext4',
          volumeAttributes: { tier: 'gold' },
          nodePublishSecretRef: { name: 'csi', namespace: 'kube-system' },
        },
        nfs: { server: 'nfs.local', path: '/exports', readOnly: true },
      },
      status: {},
    },
  ],
  [
    'PersistentVolumeClaim',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('web-data', 'default'),
      spec: {
        accessModes: ['ReadWriteOnce'],
        selector: { matchLabels: { tier: 'gold' } },
        resources: { requests: { storage: '5Gi' }, limits: { storage: '10Gi' } },
        volumeName: 'pv-1',
        storageClassName: '',
        volumeMode: 'Filesystem',
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' },
        dataSourceRef: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' },
      },
      status: {
        phase: 'Bound',
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '10Gi' },
        conditions: [{ type: 'Resizing', status: 'True', lastProbeTime: T1, lastTransitionTime: T1 }],
        allocatedResources: { storage: '10Gi' },
        allocatedResourceStatuses: { storage: 'NodeResizePending' },
      },
    },
  ],
  [
    'ReplicationController',
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: meta('web-rc', 'default'),
      spec: { replicas: 0, minReadySeconds: 5, selector: { app: 'web' }, template: templateSpec },
      status: {
        replicas: 0,
        fullyLabeledReplicas: 1,
        observedGeneration: 3,
        conditions: [{ type: 'ReplicaFailure', status: 'False', lastTransitionTime: T1 }],
      },
    },
  ],
  [
    'PodTemplate',
    { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta('tpl', 'default'), template: templateSpec },
  ],
  [
    'Binding',
    {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web-0', namespace: 'default' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    },
  ],
  [
    'Deployment',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 'default', { annotations: { 'deployment.kubernetes.io/revision': '2' } }),
      spec: {
        replicas: 3,
        selector,
        template: { metadata: { labels: { app: 'web', tier: 'frontend' } }, spec: podSpec },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        minReadySeconds: 10,
        revisionHistoryLimit: 5,
        paused: true,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 3,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 1,
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastUpdateTime: T2,
            lastTransitionTime: T1,
            reason: 'MinimumReplicasAvailable',
            message: 'ok',
          },
        ],
        collisionCount: 0,
      },
    },
  ],
  [
    'RecreateDeployment',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'batch', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'batch' } },
        template: templateSpec,
        strategy: { type: 'Recreate' },
      },
      status: {},
    },
  ],
  [
    'ReplicaSet',
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-5d8c', 'default'),
      spec: { replicas: 2, minReadySeconds: 1, selector, template: templateSpec },
      status: {
        replicas: 2,
        fullyLabeledReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 1,
        conditions: [{ type: 'ReplicaFailure', status: 'False' }],
      },
    },
  ],
  [
    'StatefulSet',
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('db', 'default'),
      spec: {
        replicas: 3,
        selector,
        template: templateSpec,
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '1Gi' } },
              storageClassName: 'local',
            },
            status: {},
          },
        ],
        serviceName: 'db',
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        minReadySeconds: 3,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
        ordinals: { start: 0 },
      },
      status: {
        observedGeneration: 2,
        replicas: 3,
        readyReplicas: 3,
        currentReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'db-7f',
        updateRevision: 'db-7f',
        collisionCount: 0,
        availableReplicas: 3,
      },
    },
  ],
  [
    'DaemonSet',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('agent', 'kube-system'),
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: templateSpec,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        minReadySeconds: 2,
        revisionHistoryLimit: 10,
      },
      status: {
        currentNumberScheduled: 2,
        numberMisscheduled: 0,
        desiredNumberScheduled: 2,
        numberReady: 1,
        observedGeneration: 4,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
        numberUnavailable: 1,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'Rolling' }],
      },
    },
  ],
  [
    'ControllerRevision',
    {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: meta('db-7f', 'default'),
      data: { spec: { template: { spec: { containers: [{ name: 'db', image: 'postgres:16' }] } } } },
      revision: 7,
    },
  ],
  [
    'Job',
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('migrate', 'default'),
      spec: {
        parallelism: 2,
        completions: 4,
        activeDeadlineSeconds: 3600,
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
        backoffLimit: 0,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
        manualSelector: false,
        template: {
          metadata: { labels: { job: 'migrate' } },
          spec: {
            containers: [{ name: 'main', image: 'busybox', command: ['true'], resources: {} }],
            restartPolicy: 'Never',
          },
        },
        ttlSecondsAfterFinished: 0,
        completionMode: 'Indexed',
        suspend: false,
        podReplacementPolicy: 'Failed',
        managedBy: 'kubernetes.io/job-controller',
      },
      status: {
        conditions: [{ type: 'Complete', status: 'True', lastProbeTime: T2, lastTransitionTime: T2 }],
        startTime: T1,
        completionTime: T2,
        succeeded: 4,
        terminating: 0,
        completedIndexes: '0-3',
        failedIndexes: '',
        uncountedTerminatedPods: { succeeded: ['p1'], failed: ['p2'] },
        ready: 0,
      },
    },
  ],
  [
    'CronJob',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('nightly', 'default'),
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Etc/UTC',
        startingDeadlineSeconds: 120,
        concurrencyPolicy: 'Forbid',
        suspend: true,
        jobTemplate: {
          metadata: { labels: { job: 'nightly' } },
          spec: {
            backoffLimit: 2,
            template: {
              metadata: {},
              spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' },
            },
          },
        },
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 0,
      },
      status: {
        active: [{ kind: 'Job', namespace: 'default', name: 'nightly-1', uid: 'job-uid' }],
        lastScheduleTime: T1,
        lastSuccessfulTime: T2,
      },
    },
  ],
  [
    'HorizontalPodAutoscalerV1',
    {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('web', 'default'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        minReplicas: 1,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: {
        observedGeneration: 1,
        lastScaleTime: T1,
        currentReplicas: 2,
        desiredReplicas: 3,
        currentCPUUtilizationPercentage: 95,
      },
    },
  ],
  [
    'HorizontalPodAutoscalerV2',
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('web', 'default'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        minReplicas: 0,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
          {
            type: 'Pods',
            pods: {
              metric: { name: 'qps', selector: { matchLabels: { app: 'web' } } },
              target: { type: 'AverageValue', averageValue: '100' },
            },
          },
          {
            type: 'Object',
            object: {
              describedObject: { kind: 'Ingress', name: 'web', apiVersion: 'networking.k8s.io/v1' },
              target: { type: 'Value', value: '2k' },
              metric: { name: 'rps' },
            },
          },
          {
            type: 'ContainerResource',
            containerResource: {
              name: 'memory',
              container: 'web',
              target: { type: 'AverageValue', averageValue: '200Mi' },
            },
          },
          {
            type: 'External',
            external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } },
          },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }],
          },
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
            tolerance: '50m',
          },
        },
      },
      status: {
        observedGeneration: 2,
        lastScaleTime: T2,
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 60 } },
          },
        ],
        conditions: [
          { type: 'AbleToScale', status: 'True', lastTransitionTime: T1, reason: 'ReadyForNewScale' },
        ],
      },
    },
  ],
  [
    'Scale',
    {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '9' },
      spec: { replicas: 4 },
      status: { replicas: 3, selector: 'app=web' },
    },
  ],
  [
    'Lease',
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta('node-1', 'kube-node-lease'),
      spec: {
        holderIdentity: 'node-1',
        leaseDurationSeconds: 40,
        acquireTime: MICRO,
        renewTime: '2026-01-02T03:04:45.999999Z',
        leaseTransitions: 0,
      },
    },
  ],
  [
    'EndpointSlice',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta('web-abc12', 'default'),
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.42.0.7'],
          conditions: { ready: true, serving: true, terminating: false },
          hostname: 'web-0',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'pod-uid' },
          nodeName: 'node-1',
          zone: 'zone-a',
          hints: { forZones: [{ name: 'zone-a' }], forNodes: [{ name: 'node-1' }] },
        },
        { addresses: ['10.42.0.8'], conditions: {} },
      ],
      ports: [
        { name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' },
        { name: '', port: 0 },
      ],
    },
  ],
  [
    'EventsV1Event',
    {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta('web-0.17f', 'default'),
      eventTime: MICRO,
      series: { count: 0, lastObservedTime: MICRO },
      reportingController: 'skiff.dev/scheduler',
      reportingInstance: 'scheduler-1',
      action: 'Binding',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', namespace: 'default', name: 'web-0' },
      related: { kind: 'Node', name: 'node-1' },
      note: 'Successfully assigned default/web-0 to node-1',
      type: 'Normal',
      deprecatedSource: { component: 'default-scheduler' },
      deprecatedFirstTimestamp: T1,
      deprecatedLastTimestamp: T2,
      deprecatedCount: 1,
    },
  ],
  [
    'NetworkPolicy',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('deny', 'default'),
      spec: {
        podSelector: {},
        ingress: [
          {
            ports: [
              { protocol: 'TCP', port: 80 },
              { protocol: 'TCP', port: 'http', endPort: 9000 },
            ],
            from: [
              {
                podSelector: { matchLabels: { role: 'frontend' } },
                namespaceSelector: { matchLabels: { team: 'a' } },
              },
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            ],
          },
        ],
        egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] }],
        policyTypes: ['Ingress', 'Egress'],
      },
    },
  ],
  [
    'Ingress',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web', 'default'),
      spec: {
        ingressClassName: 'traefik',
        defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } },
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
        rules: [
          {
            host: 'web.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
                {
                  path: '/api',
                  pathType: 'Exact',
                  backend: { service: { name: 'api', port: { name: 'http' } } },
                },
              ],
            },
          },
          {},
        ],
      },
      status: {
        loadBalancer: {
          ingress: [
            {
              ip: '192.168.1.100',
              hostname: 'lb.local',
              ports: [{ port: 443, protocol: 'TCP', error: 'none' }],
            },
          ],
        },
      },
    },
  ],
  [
    'IngressClass',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: meta('traefik', undefined, {
        annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
      }),
      spec: {
        controller: 'traefik.io/ingress-controller',
        parameters: {
          apiGroup: 'k8s.example.com',
          kind: 'IngressParameters',
          name: 'external-lb',
          scope: 'Namespace',
          namespace: 'infra',
        },
      },
    },
  ],
  [
    'PodDisruptionBudget',
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('web', 'default'),
      spec: { minAvailable: '50%', selector, maxUnavailable: 0, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
      status: {
        observedGeneration: 3,
        disruptedPods: { 'web-1': T1 },
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 2,
        expectedPods: 3,
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: 'False',
            lastTransitionTime: T1,
            reason: 'InsufficientPods',
            message: '',
          },
        ],
      },
    },
  ],
  [
    'Eviction',
    {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-0', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 30, orphanDependents: false },
    },
  ],
  [
    'PriorityClass',
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: meta('high'),
      value: 0,
      globalDefault: true,
      description: 'for web pods',
      preemptionPolicy: 'Never',
    },
  ],
  [
    'RuntimeClass',
    {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: meta('runc'),
      handler: 'runc',
      overhead: { podFixed: { cpu: '10m', memory: '16Mi' } },
      scheduling: {
        nodeSelector: { 'skiff.dev/runtime': 'runc' },
        tolerations: [{ key: 'runtime', operator: 'Exists' }],
      },
    },
  ],
  [
    'StorageClass',
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: meta('local', undefined, {
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      }),
      provisioner: 'skiff.dev/local-path',
      parameters: { path: '/var/lib/skiff/storage' },
      reclaimPolicy: 'Delete',
      mountOptions: ['noatime'],
      allowVolumeExpansion: false,
      volumeBindingMode: 'WaitForFirstConsumer',
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['node-1'] }] }],
    },
  ],
  [
    'Role',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('reader', 'default'),
      rules: [
        {
          verbs: ['get', 'list', 'watch'],
          apiGroups: ['', 'apps'],
          resources: ['pods', 'deployments'],
          resourceNames: ['web'],
        },
      ],
    },
  ],
  [
    'RoleBinding',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('reader', 'default'),
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'web', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    },
  ],
  [
    'ClusterRole',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('monitoring'),
      rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/healthz'] }],
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.skiff.dev/aggregate-to-monitoring': 'true' } }],
      },
    },
  ],
  [
    'ClusterRoleBinding',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta('monitoring'),
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:monitoring' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'monitoring' },
    },
  ],
  [
    'SelfSubjectAccessReview',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: {
        resourceAttributes: {
          namespace: 'default',
          verb: 'list',
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          subresource: 'scale',
          name: 'web',
          fieldSelector: {
            rawSelector: 'metadata.name=web',
            requirements: [{ key: 'metadata.name', operator: 'In', values: ['web'] }],
          },
          labelSelector: { requirements: [{ key: 'app', operator: 'Exists' }] },
        },
      },
      status: { allowed: false, denied: true, reason: 'no RBAC policy matched', evaluationError: 'x' },
    },
  ],
  [
    'SubjectAccessReview',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        nonResourceAttributes: { path: '/healthz', verb: 'get' },
        user: 'alice',
        groups: ['devs'],
        extra: { scopes: ['a', 'b'], empty: [] },
        uid: 'alice-uid',
      },
      status: { allowed: true },
    },
  ],
  [
    'SelfSubjectRulesReview',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: {},
      spec: { namespace: 'default' },
      status: {
        resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web-0'] }],
        nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api'] }],
        incomplete: false,
        evaluationError: 'partial',
      },
    },
  ],
  [
    'SelfSubjectReview',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: T1 },
      status: {
        userInfo: {
          username: 'alice',
          uid: 'alice-uid',
          groups: ['system:authenticated'],
          extra: { 'skiff.dev/team': ['web'] },
        },
      },
    },
  ],
  [
    'TokenRequest',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'pod-uid' },
      },
      status: { token: 'eyJhbGciOi', expirationTimestamp: T2 },
    },
  ],
  [
    'TokenReview',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: {},
      spec: { token: 'eyJhbGciOi', audiences: ['api'] },
      status: {
        authenticated: true,
        user: { username: 'system:serviceaccount:default:web' },
        audiences: ['api'],
        error: 'none',
      },
    },
  ],
  ['DeleteOptionsV1', { apiVersion: 'v1', kind: 'DeleteOptions', ...deleteOptions }],
  ['DeleteOptionsMeta', { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', orphanDependents: true }],
  ['DeleteOptionsApps', { apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }],
  [
    'Status',
    {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: { resourceVersion: '5' },
      status: 'Failure',
      message: 'pods "x" is invalid',
      reason: 'Invalid',
      details: {
        name: 'x',
        kind: 'pods',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }],
        retryAfterSeconds: 1,
      },
      code: 422,
    },
  ],
];
