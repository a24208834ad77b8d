// Every key of the Compose Specification's service schema is either mapped or warned about:
// fixtures/every-key.yaml uses all of them, and the conversion must account for each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { convertTexts, validationErrors } from './testing.ts';
import { MAPPED_DEPLOY_KEYS, MAPPED_SERVICE_KEYS, UNSUPPORTED_SERVICE_KEYS } from './unsupported.ts';

/** The service properties of compose-spec's schema/compose-spec.json (definitions.service). */
const SCHEMA_SERVICE_KEYS = `develop deploy annotations attach build blkio_config cap_add cap_drop cgroup
  cgroup_parent command configs container_name cpu_count cpu_percent cpu_shares cpu_quota cpu_period
  cpu_rt_period cpu_rt_runtime cpus cpuset credential_spec depends_on device_cgroup_rules devices dns
  dns_opt dns_search domainname entrypoint env_file label_file environment expose extends provider
  external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels links
  logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode models
  networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged
  profiles pull_policy pull_refresh_after read_only restart runtime scale security_opt shm_size secrets
  sysctls stdin_open stop_grace_period stop_signal storage_opt tmpfs tty ulimits use_api_socket user
  uts userns_mode volumes volumes_from working_dir`.split(/\s+/);
/** definitions.deployment properties. */
const SCHEMA_DEPLOY_KEYS = [
  'mode',
  'endpoint_mode',
  'replicas',
  'labels',
  'rollback_config',
  'update_config',
  'resources',
  'restart_policy',
  'placement',
];

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures/every-key.yaml'), 'utf8');

test('every schema service key is classified: mapped or with a warning message', () => {
  for (const k of SCHEMA_SERVICE_KEYS) {
    assert.ok(
      MAPPED_SERVICE_KEYS.has(k) || k in UNSUPPORTED_SERVICE_KEYS,
      `${k} is neither mapped nor warned`,
    );
    assert.ok(!(MAPPED_SERVICE_KEYS.has(k) && k in UNSUPPORTED_SERVICE_KEYS), `${k} is both`);
  }
});

test('the fixture uses every schema key', () => {
  const app = parse(FIXTURE).services.app as Record<string, unknown>;
  for (const k of SCHEMA_SERVICE_KEYS) assert.ok(k in app, `fixture lacks ${k}`);
  const deploy = app.deploy as Record<string, unknown>;
  for (const k of SCHEMA_DEPLOY_KEYS) assert.ok(k in deploy, `fixture lacks deploy.${k}`);
});

test('converting it maps or warns about each key, and the objects validate', () => {
  const r = convertTexts({ 'compose.yaml': FIXTURE }, { profiles: ['*'] });
  const warned = new Set(r.warnings.filter((w) => w.service === 'app').map((w) => w.key.split(/[.[]/)[0]));
  for (const k of SCHEMA_SERVICE_KEYS) {
    if (k in UNSUPPORTED_SERVICE_KEYS) assert.ok(warned.has(k), `no warning for ${k}`);
  }
  const deployWarned = new Set(
    r.warnings.filter((w) => w.key.startsWith('deploy.')).map((w) => w.key.split('.')[1]),
  );
  for (const k of SCHEMA_DEPLOY_KEYS) {
    assert.ok(MAPPED_DEPLOY_KEYS.has(k) || deployWarned.has(k), `deploy.${k} neither mapped nor warned`);
  }
  // Partly mapped keys warn about the parts they drop.
  const keys = r.warnings.map((w) => `${w.service ?? ''}:${w.key}`);
  for (const k of [
    'app:healthcheck.start_interval',
    'app:deploy.restart_policy.delay',
    'app:deploy.resources.limits.pids',
    'app:deploy.resources.reservations.devices',
    'app:networks.back.ipv4_address',
    'app:secrets[0].uid',
    'app:security_opt[1]',
    'app:pre_stop',
    'app:depends_on.db.restart',
    'app:volumes[1]',
    ':include',
    ':models',
    ':networks.back.ipam',
    ':volumes.data.driver_opts',
    ':configs.cfg.template_driver',
  ]) {
    assert.ok(keys.includes(k), `warning ${k} among ${keys.join(' ')}`);
  }
  assert.ok(!keys.some((k) => k.endsWith(':unknown')), 'no key is unknown');
  assert.ok(!r.warnings.some((w) => w.message.startsWith('unknown')), JSON.stringify(r.warnings));
  assert.deepEqual(validationErrors(r.objects), []);
  const app = r.objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'app');
  assert.ok(app, 'app mounts a named volume with one replica: a StatefulSet');
});
