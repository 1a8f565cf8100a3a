// The process driver (fork/exec under mo-shim) against the shared driver conformance suite.
import { ProcessDriver } from '@mo/agent';
import { describeDriverConformance } from './driver-conformance.js';

describeDriverConformance('process', () => new ProcessDriver(), { shell: '/bin/sh' });
