import { randomInt } from 'node:crypto';

// Docker-style generated names: adjective_surname (lists shortened; names of scientists and engineers).
const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'confident', 'cool', 'cranky',
  'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant',
  'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny',
  'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];
const RIGHT = [
  'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bhabha', 'blackwell', 'bohr',
  'booth', 'borg', 'bose', 'brahmagupta', 'brattain', 'brown', 'carson', 'cerf', 'chandrasekhar', 'clarke', 'curie',
  'darwin', 'davinci', 'dijkstra', 'dubinsky', 'easley', 'einstein', 'elion', 'engelbart', 'euclid', 'euler',
  'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gates', 'goldberg', 'goldwasser', 'goodall',
  'haibt', 'hamilton', 'hawking', 'heisenberg', 'hermann', 'hodgkin', 'hopper', 'hugle', 'hypatia', 'jackson',
  'jang', 'jemison', 'jennings', 'johnson', 'joliot', 'kalam', 'keldysh', 'kepler', 'khorana', 'kilby', 'knuth',
  'kowalevski', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lederberg', 'lehmann', 'lewin', 'liskov', 'lovelace',
  'lumiere', 'mahavira', 'margulis', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel', 'mendeleev', 'merkle',
  'mirzakhani', 'montalcini', 'moore', 'morse', 'napier', 'nash', 'neumann', 'newton', 'nobel', 'noether',
  'noyce', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride',
  'ritchie', 'robinson', 'rosalind', 'saha', 'sammet', 'shamir', 'shannon', 'shaw', 'shockley', 'sinoussi',
  'snyder', 'spence', 'stonebraker', 'sutherland', 'swanson', 'swartz', 'tesla', 'thompson', 'torvalds', 'turing',
  'varahamihira', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles', 'williams', 'wilson', 'wing', 'wozniak',
  'wright', 'wu', 'yalow', 'yonath', 'zhukovsky',
];

/** A random `adjective_surname`; with `suffix`, a digit is appended (Docker does so on retries). */
export function randomName(suffix = false): string {
  const n = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  return suffix ? `${n}${randomInt(10)}` : n;
}
