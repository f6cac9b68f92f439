/**
 * `npm run db:repair -- <dataDir> <newDir>`: salvage a data directory of the embedded database
 * that refuses to open because a file is corrupt. Copies the snapshot and every journal record
 * before the first bad frame into <newDir> (which must not exist or be empty), prints what it
 * kept and what it dropped, and opens the result to check it. <dataDir> is only read.
 * See server/src/db/README.md ("Durability").
 */
import { formatRepairReport, repairDataDir } from '../server/src/db/embedded/repair';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) {
  console.error('usage: npm run db:repair -- <dataDir> <newDir>');
  process.exit(2);
}
try {
  console.log(formatRepairReport(await repairDataDir(src, dst)));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
