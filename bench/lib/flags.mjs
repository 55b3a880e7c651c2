// Command-line flags of the benchmarks (bench/fanout, bench/chat): `--name value`, `--name=value`,
// booleans as `--name`, `--name=false` or `--no-name`, and `--smoke` for a bench's smoke preset.

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * Parses argv against `defaults` (the flag set: camelCase keys, their types taken from the default values).
 * Returns `{ ...defaults, ...(smoke ? smokePreset : {}), ...given, smoke }`. `--help`/`-h` prints `usage()`
 * and exits 0; an unknown flag, a missing value or a negative/non-numeric number throws.
 */
export function parseFlags(argv, { defaults, smoke: smokePreset = {}, usage }) {
  const explicit = {};
  let smoke = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${usage()}`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === 'smoke') {
      smoke = true;
      continue;
    }
    if (arg.startsWith('no-') && typeof defaults[camel(arg.slice(3))] === 'boolean') {
      explicit[camel(arg.slice(3))] = false;
      continue;
    }
    const key = camel(arg);
    if (!(key in defaults)) throw new Error(`unknown flag --${arg}\n${usage()}`);
    if (typeof defaults[key] === 'boolean') {
      explicit[key] = value === undefined ? true : value !== 'false';
      continue;
    }
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new Error(`--${arg} needs a value`);
    if (typeof defaults[key] === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${arg}: not a number: ${value}`);
      explicit[key] = n;
    } else explicit[key] = value;
  }
  return { ...defaults, ...(smoke ? smokePreset : {}), ...explicit, smoke };
}
