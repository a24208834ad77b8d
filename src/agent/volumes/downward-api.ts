// Files of a downwardAPI volume (or projected downwardAPI source): path → content, one per item.
import type { Container, DownwardAPIVolumeFile, Pod } from 'kubernetes-types/core/v1.d.ts';
import { type FieldContext, FieldRefError, fieldValue, resourceValue } from './field-ref.ts';

export interface RenderedFile {
  path: string;
  content: string;
  mode?: number;
}

export function renderDownwardApi(
  items: DownwardAPIVolumeFile[],
  ctx: FieldContext,
  defaultMode?: number,
): RenderedFile[] {
  const pod: Pod = ctx.pod;
  return items.map((item) => {
    let content: string;
    if (item.fieldRef) content = fieldValue(ctx, item.fieldRef.fieldPath, true);
    else if (item.resourceFieldRef) {
      const name = item.resourceFieldRef.containerName;
      const c: Container | undefined = pod.spec?.containers.find((x) => x.name === name);
      if (!c) throw new FieldRefError(`container "${name ?? ''}" not found in pod`);
      content = resourceValue(
        ctx,
        c,
        item.resourceFieldRef.resource,
        item.resourceFieldRef.divisor as string | undefined,
      );
    } else throw new FieldRefError(`downwardAPI item ${item.path} has no source`);
    const mode = item.mode ?? defaultMode;
    return { path: item.path, content, ...(mode !== undefined ? { mode } : {}) };
  });
}
