#!/usr/bin/env node
// Runs one TypeScript file (a benchmark or a script) through tsx.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error('usage: run-ts FILE [args...]');
process.argv = [process.argv[0] ?? 'node', file, ...rest];
await import(pathToFileURL(file).href);
