// What an artifact mirror (artifact-mirror.ts) finds on its disk: the copies under
// <dir>/<pipeline>/<step>/files/ (key and size), the pipeline directories, and the temp files of
// transfers that did not finish; and a file's sha256. Names that are not a pipeline or step id are
// not the mirror's: left alone.
import { ID_RE } from '@mo/api';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ARTIFACT_TEMP_PREFIX } from '../pipelines/artifacts.js';
import { STEP_ID_RE } from '../pipelines/spec.js';

export interface DiskScan {
  files: Array<{ key: string; pipelineId: string; sizeBytes: number }>;
  pipelines: string[];
  /** Full paths of `.upload-*` temp files. */
  temps: string[];
}

export async function scanArtifactDir(dir: string): Promise<DiskScan> {
  const out: DiskScan = { files: [], pipelines: [], temps: [] };
  for (const p of await dirsIn(dir)) {
    if (!ID_RE.test(p)) continue;
    out.pipelines.push(p);
    for (const s of await dirsIn(join(dir, p))) {
      if (!STEP_ID_RE.test(s)) continue;
      const stepDir = join(dir, p, s);
      for (const e of await readdir(stepDir).catch(() => [])) {
        if (e.startsWith(ARTIFACT_TEMP_PREFIX)) out.temps.push(join(stepDir, e));
      }
      const filesDir = join(stepDir, 'files');
      for (const file of await filesUnder(filesDir)) {
        const st = await stat(file).catch(() => undefined);
        if (!st?.isFile()) continue;
        const key = `${p}/${s}/${relative(filesDir, file).split(sep).join('/')}`;
        out.files.push({ key, pipelineId: p, sizeBytes: st.size });
      }
    }
  }
  return out;
}

async function dirsIn(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function filesUnder(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** The hex sha256 of a file's content. */
export function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
