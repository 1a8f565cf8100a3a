import { describe, expect, it } from '@jest/globals';
import { matchRoute } from './router.js';

const routes = [
  { method: 'GET', path: '/api/v1/workloads', name: 'list' },
  { method: 'POST', path: '/api/v1/workloads', name: 'submit' },
  { method: 'GET', path: '/api/v1/workloads/:id', name: 'get' },
  { method: 'DELETE', path: '/api/v1/workloads/:id', name: 'stop' },
  { method: 'POST', path: '/api/v1/workloads/:id/stop', name: 'stop-post' },
  { method: 'POST', path: '/api/v1/pipelines/:id/steps/:step/approve', name: 'approve' },
];

describe('matchRoute', () => {
  it.each([
    ['GET', '/api/v1/workloads', 'list', {}],
    ['POST', '/api/v1/workloads/', 'submit', {}],
    ['GET', '/api/v1/workloads/W1', 'get', { id: 'W1' }],
    ['DELETE', '/api/v1/workloads/W1', 'stop', { id: 'W1' }],
    ['POST', '/api/v1/workloads/W%201/stop', 'stop-post', { id: 'W 1' }],
    ['POST', '/api/v1/pipelines/P1/steps/deploy/approve', 'approve', { id: 'P1', step: 'deploy' }],
  ])('%s %s is %s with its path parameters', (method, path, name, params) => {
    const m = matchRoute(routes, method, path);
    expect(m).toEqual({ route: expect.objectContaining({ name }), params });
  });

  it.each([
    ['GET', '/api/v1/nodes'],
    ['GET', '/api/v1/workloads/W1/extra'],
    ['GET', '/api/v1/workloads//stop'],
    ['GET', '/api/v1/workloads/%E0%A4%A'], // a malformed escape matches nothing
    ['GET', '/'],
  ])('%s %s is no route (404)', (method, path) => {
    expect(matchRoute(routes, method, path)).toEqual({ notFound: true });
  });

  it.each([
    ['PUT', '/api/v1/workloads', ['GET', 'POST']],
    ['POST', '/api/v1/workloads/W1', ['DELETE', 'GET']],
    ['HEAD', '/api/v1/workloads/W1/stop', ['POST']],
  ])('%s %s is a path that takes other methods (405 with Allow)', (method, path, allow) => {
    expect(matchRoute(routes, method, path)).toEqual({ notAllowed: true, allow });
  });
});
