/**
 * The Dockerfile at the repository root (one image for every service): dependencies installed
 * from every workspace's package.json before `npm ci`, the build run with the root package's own
 * scripts, a runtime with production dependencies, every built package and the data files the
 * services read at run time, a non-root user, a health check on a path the app answers, only
 * variables the configuration knows, and a pinned Node.js image that satisfies the engines field.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { knownVariables, PROBE_PATHS, readText, ROOT, rootPackage } from './deployment';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, keyword, rest] = match as unknown as [string, string, string];
    if (keyword === 'FROM') {
      const [from, , name] = rest.trim().split(/\s+/);
      stages.push({ name: name ?? String(stages.length), from: from!, instructions: [] });
    } else if (stages.length === 0 && keyword === 'ARG') {
      const [key, value] = rest.trim().split('=');
      args[key!] = value ?? '';
    } else {
      stages.at(-1)?.instructions.push({ keyword, args: rest.trim() });
    }
  }
  return { args, stages };
}

const { args, stages } = parseDockerfile(readText('Dockerfile'));
const stage = (name: string) => stages.find((s) => s.name === name)!;
const runtime = stages.at(-1)!;

/** COPY sources (relative to the build context) of a stage, up to the first instruction matching `until`. */
function copiedBefore(s: Stage, until: RegExp): string[] {
  const out: string[] = [];
  for (const i of s.instructions) {
    if (i.keyword === 'RUN' && until.test(i.args)) break;
    if (i.keyword === 'COPY' && !i.args.startsWith('--from')) out.push(...i.args.split(/\s+/).slice(0, -1));
  }
  return out;
}

describe('Dockerfile', () => {
  it('copies every workspace’s package.json before each npm ci', () => {
    for (const name of ['deps', 'prod-deps']) {
      const copied = copiedBefore(stage(name), /\bnpm ci\b/);
      expect(stage(name).instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
      expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...rootPackage.workspaces.map((w) => `${w}/package.json`)]));
    }
    expect(stage('prod-deps').instructions.find((i) => /\bnpm ci\b/.test(i.args))!.args).toContain('--omit=dev');
  });

  it('builds with the root package’s scripts and copies every workspace into the build', () => {
    const build = stage('build');
    const scripts = build.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => [...i.args.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!));
    expect(scripts).toEqual(['build']);
    for (const script of scripts) expect(rootPackage.scripts[script]).toBeDefined();
    const copied = build.instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const workspace of rootPackage.workspaces.filter((w) => w !== 'test')) {
      expect({ workspace, copied: copied.some((c) => workspace === c || workspace.startsWith(`${c}/`)) }).toEqual({ workspace, copied: true });
    }
  });

  it('ships every built package and every data folder the services read at run time', () => {
    const copied = runtime.instructions.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args.split(/\s+/)[1]!.replace(/^\/app\//, ''));
    for (const workspace of rootPackage.workspaces) {
      const dir = path.join(ROOT, workspace);
      const pkg = JSON.parse(readText(`${workspace}/package.json`)) as { scripts?: Record<string, string> };
      expect({ workspace, manifest: copied.includes(`${workspace}/package.json`) }).toEqual({ workspace, manifest: true });
      if (!pkg.scripts?.build) continue;
      expect({ workspace, dist: copied.includes(`${workspace}/dist`) }).toEqual({ workspace, dist: true });
      // Anything beside sources, tests, build scripts and output is data read at run time (profiles, catalogue, schemas, demo).
      const data = readdirSync(dir).filter((e) => !e.startsWith('.') && statSync(path.join(dir, e)).isDirectory() && !['src', 'test', 'dist', 'scripts', 'node_modules'].includes(e));
      for (const folder of data) expect({ workspace, folder, copied: copied.includes(`${workspace}/${folder}`) }).toEqual({ workspace, folder, copied: true });
    }
    expect(runtime.instructions).toContainEqual({ keyword: 'COPY', args: '--from=prod-deps /app/node_modules node_modules' });
  });

  it('runs as a non-root user with a health check on a path the app answers', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    const paths = [...health.matchAll(/\+ '(\/[a-z]+)'/g)].map((m) => m[1]);
    expect(paths).toHaveLength(1);
    expect(PROBE_PATHS).toContain(paths[0]);
    expect(health).toContain('process.env.LAGEBILD_PORT');
  });

  it('sets only variables the configuration knows', () => {
    const known = knownVariables();
    const env = runtime.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/([A-Z_]+)=/g)].map((m) => m[1]!));
    expect(env.length).toBeGreaterThan(0);
    expect(env.filter((v) => !known.has(v))).toEqual([]);
    const port = /LAGEBILD_PORT=(\d+)/.exec(runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' '))![1];
    expect(runtime.instructions).toContainEqual({ keyword: 'EXPOSE', args: port });
  });

  it('starts from a pinned Debian Node.js image that satisfies the engines field', () => {
    const image = args.NODE_IMAGE!;
    const version = /^node:(\d+)\.(\d+)\.(\d+)-(bookworm|bullseye)(-slim)?$/.exec(image);
    expect(version).not.toBeNull();
    const minimum = /^>=(\d+)\.(\d+)$/.exec(rootPackage.engines.node)!;
    expect(Number(version![1])).toBe(Number(minimum[1]));
    expect(Number(version![2])).toBeGreaterThanOrEqual(Number(minimum[2]));
    // Every stage starts from that image or from an earlier stage.
    stages.forEach((s, i) => expect(['${NODE_IMAGE}', ...stages.slice(0, i).map((e) => e.name)]).toContain(s.from));
  });

  it('keeps installed modules and build output out of the build context, but not the manifests', () => {
    const patterns = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // Docker's matching, as far as these patterns need it: ** any depth, * within one segment, a folder covers its contents.
    const toRegExp = (p: string) =>
      new RegExp(
        `^${p
          .split(/(\*\*\/|\*\*|\*)/)
          .map((part) => (part === '**/' ? '(.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
          .join('')}(/.*)?$`,
      );
    const ignored = (file: string) => patterns.reduce((acc, p) => (p.startsWith('!') ? (toRegExp(p.slice(1)).test(file) ? false : acc) : toRegExp(p).test(file) ? true : acc), false);
    for (const file of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.base.json', 'turbo.json', ...rootPackage.workspaces.map((w) => `${w}/package.json`)]) {
      expect({ file, ignored: ignored(file) }).toEqual({ file, ignored: false });
      expect(existsSync(path.join(ROOT, file))).toBe(true);
    }
    for (const file of ['node_modules/x', 'services/platform/node_modules/x', 'services/platform/dist/index.js', '.lagebild/lmdb/data.mdb', 'services/warehouse/test/access.int.spec.ts']) {
      expect({ file, ignored: ignored(file) }).toEqual({ file, ignored: true });
    }
  });
});
