/**
 * `npm run score`: the corpus score per source repository beside the leave-one-source-out score
 * (source-score.ts), and each capture's share of devices with no type.
 */
import { loadRules } from '../../src-main/classify/load';
import { corpusAvailable, PCAPS } from '../helpers/corpus';
import { formatScore, scoreBySource } from './source-score';

if (!corpusAvailable()) {
  console.error(`score: the capture corpus (${PCAPS}) is absent: nothing to score`);
  process.exit(2);
}
for (const line of formatScore(await scoreBySource(loadRules()))) console.log(line);
