import { main } from '../dist/mo-agent-x5.mjs';
await main(process.argv.slice(2));
