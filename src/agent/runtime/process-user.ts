// Which uid/gid/groups a container process runs as, from the image's `User` (`name`, `uid`,
// `name:group`, `uid:gid`) resolved against the image's /etc/passwd and /etc/group, with
// Kubernetes' runAsUser / runAsGroup / supplementalGroups / fsGroup on top (as containerd does).

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** Home directory from passwd (for HOME), when the user is listed there. */
  home?: string;
}

export interface UserRequest {
  imageUser?: string;
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  fsGroup?: number;
  /** Contents of the image's /etc/passwd and /etc/group ('' when absent). */
  passwd?: string;
  group?: string;
}

export class UserResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserResolutionError';
  }
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const isNumeric = (s: string) => /^\d+$/.test(s);

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && isNumeric(f[2]) && isNumeric(f[3]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && isNumeric(f[2]))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

export function resolveUser(req: UserRequest): ProcessUser {
  const passwd = parsePasswd(req.passwd ?? '');
  const groups = parseGroup(req.group ?? '');
  let userPart: string;
  let groupPart: string | undefined;
  if (req.runAsUser !== undefined) {
    userPart = String(req.runAsUser);
  } else {
    const spec = req.imageUser?.trim() || '0';
    const sep = spec.indexOf(':');
    userPart = sep >= 0 ? spec.slice(0, sep) : spec;
    groupPart = sep >= 0 ? spec.slice(sep + 1) : undefined;
  }
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (isNumeric(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry)
      throw new UserResolutionError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
  }
  let gid = entry?.gid ?? 0;
  if (groupPart) {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g)
        throw new UserResolutionError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  if (req.runAsGroup !== undefined) gid = req.runAsGroup;
  const extra = new Set<number>();
  if (entry) for (const g of groups) if (g.members.includes(entry.name)) extra.add(g.gid);
  for (const g of req.supplementalGroups ?? []) extra.add(g);
  if (req.fsGroup !== undefined) extra.add(req.fsGroup);
  extra.delete(gid);
  return {
    uid,
    gid,
    additionalGids: [...extra].sort((a, b) => a - b),
    ...(entry ? { home: entry.home } : {}),
  };
}
