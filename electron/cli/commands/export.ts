/**
 * `printha export ansible <site.yaml> --out <dir>`: the site as an Ansible project (inventory without
 * secrets, balancer.yml, windows.yml, site.yml, the rendered files).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ansibleExport } from '../../../shared/export/ansible.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { SecretSet } from '../../core/runner/redact.js';
import { opt, parseArgs } from '../args.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha export ansible <site.yaml> --out <dir>';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export the site for another automation engine: `export ansible <site.yaml> --out <dir>`.',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { options: ['out'] }, usage);
    const out = opt(p, 'out');
    const [target, file] = p.positionals;
    if (target !== 'ansible') throw new UsageError(`${target ? `Unknown export target "${target}"; ` : ''}the only export target is "ansible".\nUsage: ${usage}`);
    if (p.positionals.length !== 2 || !file || !out) throw new UsageError(`Expected a site file and --out <dir>.\nUsage: ${usage}`);
    const result = validateSiteYaml(await readSiteText(file, usage));
    if (!result.ok || !result.site) {
      io.err(formatFindings(result.findings, file));
      io.err('Nothing was exported: fix the errors above first.\n');
      return 1;
    }
    const files = ansibleExport(resolveSite(result.site));
    const secrets = new SecretSet().addFromEnv(io.env);
    const leaking = files.filter((f) => secrets.foundIn(f.content)).map((f) => f.path);
    if (leaking.length) throw new UsageError(`The export would contain a password from the environment (in ${leaking.join(', ')}): the site file must not hold credentials.`, 1);
    const root = resolve(out);
    for (const f of files) {
      const dest = resolve(root, f.path);
      if (!dest.startsWith(root + sep)) throw new Error(`refusing to write outside the output directory: ${f.path}`);
      await mkdir(dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${process.pid}`;
      await writeFile(tmp, f.content, { mode: f.mode });
      await rename(tmp, dest);
      io.out(`${f.path}\n`);
    }
    io.out(`${files.length} files written to ${out}. Check them with: ansible-playbook -i ${out}/inventory.yml --syntax-check ${out}/site.yml\n`);
    return 0;
  },
};
