// The browser tests run on the Node.js that Debian 12 ships: script/test
// passes its major version in TL_NODE_MAJOR, so a run that picked another
// Node (nodesource's 20, say) fails here instead of passing unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const expected = process.env.TL_NODE_MAJOR;

test(`runs on Node.js ${expected ?? '(any: TL_NODE_MAJOR not set)'}`,
  { skip: expected ? false : 'TL_NODE_MAJOR not set (script/test sets it)' }, () => {
    assert.match(expected, /^\d+$/, `TL_NODE_MAJOR is a major version: ${expected}`);
    assert.equal(process.versions.node.split('.')[0], expected,
      `Node.js ${process.versions.node} (${process.execPath}), expected ${expected}.x`);
  });
