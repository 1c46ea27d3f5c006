/** One line of `tollgate doctor`; `--json` prints these as they are (docs/cli.md). */
export interface DoctorCheck {
  readonly name: DoctorCheckName;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

export type DoctorCheckName =
  | 'node'
  | 'data-dir-lock'
  | 'port'
  | 'reflink'
  | 'config'
  | 'aws-credentials'
  | 'aws-stack'
  | 'aws-outputs'
  | 'aws-state-machine'
  | 'aws-definition'
  | 'aws-approve-url'
  | 'aws-lock-table'
  | 'aws-approvals-table'
  | 'aws-canary';

export const ok = (name: DoctorCheckName, detail: string): DoctorCheck => ({ name, status: 'ok', detail });
export const warn = (name: DoctorCheckName, detail: string): DoctorCheck => ({
  name,
  status: 'warn',
  detail,
});
export const fail = (name: DoctorCheckName, detail: string): DoctorCheck => ({
  name,
  status: 'fail',
  detail,
});
