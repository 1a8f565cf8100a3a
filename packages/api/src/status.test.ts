import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { STATUS, statusNameOf } from './status.js';

describe('STATUS', () => {
  it("is grpc-js's status enum, names included", () => {
    for (const [name, code] of Object.entries(STATUS)) {
      expect(grpc.status[name as keyof typeof grpc.status]).toBe(code);
      expect(statusNameOf(code)).toBe(grpc.status[code]);
    }
    expect(Object.keys(STATUS)).toHaveLength(Object.keys(grpc.status).length / 2);
  });
});
