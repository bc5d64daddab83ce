/**
 * The worker entry: registers the browser backends and exposes one Engine through comlink.
 * The main thread talks to it only through the types in src/protocol. Projects are kept in IndexedDB.
 */
import * as Comlink from 'comlink';
import { carryErrors } from '../protocol/errors';
import { Engine } from './engine';
import { openIdbStore } from './project/idb-store';
import { useBundledBackends } from './wasm-files';

useBundledBackends();
carryErrors();
Comlink.expose(new Engine({ openStore: openIdbStore }));
