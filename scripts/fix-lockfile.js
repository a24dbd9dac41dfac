#!/usr/bin/env node
// `node scripts/fix-lockfile.js package-lock.json` after any `npm install`: the npm registry this
// project is built against serves only some platforms of a few native packages (@swc/core,
// rollup, unrs-resolver), so npm leaves their other platforms out of the lock and `npm ci` then
// refuses it ("Missing: ... from lock file").
// Adds lock entries for optional platform packages this registry does not serve, marked with
// their os/cpu/libc so npm ci skips them here (it needs an entry for every declared optional dep).
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const cpus = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'];
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = path === '' ? '' : path + '/';
    const candidates = [`${base}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    const short = name.split('/')[1];
    const os = [
      'android',
      'darwin',
      'freebsd',
      'linux',
      'openbsd',
      'openharmony',
      'win32',
      'sunos',
      'netbsd',
      'aix',
    ].find((o) => short.includes(`-${o}-`));
    let cpu = cpus.find((c) =>
      new RegExp(`-${c}(-|$)`).test(
        short.replace('arm-eabi', 'arm').replace('gnueabihf', '').replace('musleabihf', ''),
      ),
    );
    if (!cpu && /-arm-/.test(short)) cpu = 'arm';
    if (!os || !cpu) {
      console.error('cannot classify', name);
      process.exitCode = 1;
      continue;
    }
    const entry = { version: String(version).replace(/^[\^~]/, ''), cpu: [cpu], os: [os], optional: true };
    if (os === 'linux') entry.libc = [/musl/.test(short) ? 'musl' : 'glibc'];
    lock.packages[`node_modules/${name}`] = entry;
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
