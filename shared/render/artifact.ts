/** A generated file: path relative to the render output dir, and its text. */
export interface Artifact {
  path: string;
  content: string;
  language: 'sh' | 'haproxy' | 'keepalived' | 'powershell' | 'markdown' | 'tmsh' | 'netscaler' | 'json' | 'python';
  /** One line for the plan view and the runbook. */
  description: string;
  /** Which host runs or receives it: 'balancer', a node name, a server label, 'dns' or 'engineer'. */
  target: string;
}
