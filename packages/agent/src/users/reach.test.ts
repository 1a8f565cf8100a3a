import { describe, expect, it } from '@jest/globals';
import { planReach } from './reach.js';

const dir = (path: string, mode: number, uid = 0, gid = 0) => ({ path, mode, uid, gid });
const nobody = { uid: 65534, groups: [65534] };

describe('reaching workload dirs under the data dir', () => {
  it('makes the agent’s own data dir passable and changes nothing else', () => {
    const chain = [dir('/', 0o755), dir('/tmp', 0o1777), dir('/tmp/mo-agent-x', 0o700)];
    expect(planReach(chain, 0, nobody)).toEqual({ chmod: [chain[2]] });
  });

  it('names the first directory above that the user cannot pass', () => {
    const chain = [dir('/', 0o755), dir('/root', 0o700), dir('/root/.mo', 0o700), dir('/root/.mo/dev', 0o755)];
    expect(planReach(chain, 0, nobody)).toEqual({ chmod: [], blocked: chain[1] });
  });

  it('counts the owner’s and the group’s bits for a user who owns a dir or is in its group', () => {
    const alice = { uid: 1000, groups: [1000, 27] };
    const chain = [dir('/', 0o755), dir('/home/alice', 0o700, 1000, 1000), dir('/home/alice/team', 0o750, 0, 27)];
    expect(planReach(chain, 0, alice)).toEqual({ chmod: [] });
    expect(planReach(chain, 0, nobody).blocked).toBe(chain[1]);
  });

  it('leaves a data dir of another user alone, and reports it', () => {
    const chain = [dir('/', 0o755), dir('/srv/x', 0o750, 1000)];
    expect(planReach(chain, 0, nobody)).toEqual({ chmod: [], blocked: chain[1] });
  });

  it('has nothing to do when every dir is passable', () => {
    expect(planReach([dir('/', 0o755), dir('/var/lib/mo/agent', 0o711)], 0, nobody)).toEqual({ chmod: [] });
  });
});
