import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from './mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from './mo/v1/NodeMetrics.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mo: {
    v1: {
      NodeFacts: MessageTypeDefinition<_mo_v1_NodeFacts, _mo_v1_NodeFacts__Output>
      NodeMetrics: MessageTypeDefinition<_mo_v1_NodeMetrics, _mo_v1_NodeMetrics__Output>
    }
  }
}

