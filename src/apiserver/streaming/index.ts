// What the API server's router uses from the streaming proxy (one import in server.ts).
export { isApiError } from '../../api/errors.ts';
export type { AgentClientTls } from './agent-proxy.ts';
export {
  handleNodeProxy,
  handlePodLog,
  handlePodUpgrade,
  type StreamingDeps,
  UPGRADE_SUBRESOURCES,
  writeUpgradeError,
} from './pod-streaming.ts';
export type Duplex = import('node:stream').Duplex;
export { METRICS_GROUP, METRICS_RESOURCES, MetricsApi } from '../metrics-api/index.ts';
export { AGENT_CLIENT_CN, ensureAgentClientCert } from './agent-client-cert.ts';
