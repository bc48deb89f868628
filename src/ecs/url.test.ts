import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUrl, parseUrl, pathExtension, percentDecode } from './url.js';

test('percentDecode decodes once and survives invalid sequences', () => {
  assert.equal(percentDecode('Mozilla/5.0%20(Macintosh;%20Intel)'), 'Mozilla/5.0 (Macintosh; Intel)');
  assert.equal(percentDecode('a%2520b'), 'a%20b');
  assert.equal(percentDecode('100%'), '100%');
  assert.equal(percentDecode('bad%zz%20ok'), 'bad%zz ok');
  assert.equal(percentDecode('a+b'), 'a+b');
});

test('pathExtension', () => {
  assert.equal(pathExtension('/index.html'), 'html');
  assert.equal(pathExtension('/a/b.tar.GZ'), 'gz');
  assert.equal(pathExtension('/dir.d/file'), undefined);
  assert.equal(pathExtension('/.env'), undefined);
  assert.equal(pathExtension('/'), undefined);
});

test('buildUrl and parseUrl', () => {
  const u = buildUrl({ scheme: 'https', domain: 'App.Example.com', path: '/login', query: 'next=%2F' });
  assert.equal(u.full, 'https://app.example.com/login?next=%2F');
  assert.equal(u.registered_domain, 'example.com');
  assert.equal(u.subdomain, 'app');
  const p = parseUrl('https://app.example.com:8443/api/v1/items?id=7');
  assert.equal(p.domain, 'app.example.com');
  assert.equal(p.port, 8443);
  assert.equal(p.path, '/api/v1/items');
  assert.equal(p.query, 'id=7');
  assert.equal(parseUrl('/relative?x=1').path, '/relative');
});
