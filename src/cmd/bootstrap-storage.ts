// The default StorageClass every skiff cluster has, as k3s ships `local-path`: claims without a
// class get it (DefaultStorageClass admission), and the volume controller provisions a hostPath
// directory under <data-dir>/storage on the node of the first pod that uses the claim.
import type { KObject } from '../api/object.ts';
import { systemContext } from '../apiserver/registry/context.ts';
import type { ApiServer } from '../apiserver/server.ts';

export const LOCAL_PATH_CLASS = 'local-path';
/** Kept equal to src/controllers/volume's LOCAL_PATH_PROVISIONER (cmd may not import controllers eagerly). */
export const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';

export async function bootstrapStorage(api: ApiServer, o: { localPathRoot: string }): Promise<void> {
  const classes = api.store('storage.k8s.io', 'v1', 'storageclasses');
  if (!classes) return;
  const sc: KObject = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: LOCAL_PATH_CLASS,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    parameters: { path: o.localPathRoot },
  };
  try {
    await classes.getStored('', LOCAL_PATH_CLASS);
  } catch (err) {
    if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    await classes.create('', sc, systemContext());
  }
}
