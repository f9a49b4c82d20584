#!/usr/bin/env node
// Start or stop a throwaway FerretDB (MongoDB wire protocol, SQLite backend) for tests.
//
//   node tools/mongo-test-server/mongo-test-server.mjs start
//     → prints one line to stdout: MONGODB_URI=mongodb://127.0.0.1:<port>/
//   node tools/mongo-test-server/mongo-test-server.mjs stop
//
// `start` records the server in tmp/mongo-test-server.json (under the repo root); `stop`
// reads it, or the folder named by MONGO_TEST_SERVER_DIR. Everything but the URI line goes
// to stderr, so `eval "export $(node … start)"` works in a shell.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MongoTestServerError,
  isAlive,
  startMongoTestServer,
  stopMongoTestServer,
} from './server.mjs';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATE_FILE = join(REPO_ROOT, 'tmp', 'mongo-test-server.json');
const USAGE = 'usage: mongo-test-server.mjs start|stop';

const log = (line) => process.stderr.write(`mongo-test-server: ${line}\n`);

function readState() {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}

async function start() {
  const previous = readState();
  if (previous !== undefined && Number.isInteger(previous.pid) && isAlive(previous.pid)) {
    log(`already running (pid ${previous.pid}, ${previous.dir}); run "stop" first for a fresh one`);
    process.stdout.write(`MONGODB_URI=${previous.uri}\n`);
    return;
  }
  const server = await startMongoTestServer({ detached: true, log });
  await mkdir(dirname(STATE_FILE), { recursive: true });
  await writeFile(
    STATE_FILE,
    `${JSON.stringify({ uri: server.uri, dir: server.dir, pid: server.pid }, null, 2)}\n`,
  );
  log(`stop it with: node tools/mongo-test-server/mongo-test-server.mjs stop`);
  process.stdout.write(`MONGODB_URI=${server.uri}\n`);
}

async function stop() {
  const fromEnv = process.env.MONGO_TEST_SERVER_DIR;
  const state = readState();
  const dir = fromEnv !== undefined && fromEnv !== '' ? fromEnv : state?.dir;
  if (dir === undefined) {
    log(`nothing to stop (no ${STATE_FILE} and MONGO_TEST_SERVER_DIR is not set)`);
    return;
  }
  await stopMongoTestServer({ dir, ...(dir === state?.dir ? { pid: state.pid } : {}) });
  if (dir === state?.dir) await rm(STATE_FILE, { force: true });
  log(`stopped, removed ${dir}`);
}

const command = process.argv[2];
try {
  if (command === 'start') await start();
  else if (command === 'stop') await stop();
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  }
} catch (err) {
  log(err instanceof MongoTestServerError ? err.message : String(err?.stack ?? err));
  process.exitCode = 1;
}
