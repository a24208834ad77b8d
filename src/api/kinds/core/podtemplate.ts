// core/v1 PodTemplate.
import { defineKind } from '../define.ts';
import { containerCells, formatLabels } from '../printing/cells.ts';
import { column, nameColumn, nameOf } from '../printing/default-table.ts';
import { defaultPodSpec } from './pod-defaults.ts';
import { validatePodTemplateSpec } from './pod-validation.ts';

export const POD_TEMPLATE = defineKind({
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  namespaced: true,
  bumpsGeneration: true,
  defaults(pt) {
    if (pt.template && typeof pt.template === 'object') {
      pt.template.spec ??= {};
      defaultPodSpec(pt.template.spec);
    }
  },
  validate: (pt) => validatePodTemplateSpec(pt.template, 'template'),
  table: {
    columns: [
      nameColumn(),
      column('Containers', 'Names of each container in the template.'),
      column('Images', 'Images referenced by each container in the template.'),
      column('Pod Labels', 'The labels for the pod template.'),
    ],
    cells(pt) {
      const [names, images] = containerCells(pt.template?.spec?.containers);
      return [nameOf(pt), names, images, formatLabels(pt.template?.metadata?.labels)];
    },
  },
});
