// Original file: proto/mo/v1/registry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HeartbeatRequest as _mo_v1_HeartbeatRequest, HeartbeatRequest__Output as _mo_v1_HeartbeatRequest__Output } from '../../mo/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _mo_v1_HeartbeatResponse, HeartbeatResponse__Output as _mo_v1_HeartbeatResponse__Output } from '../../mo/v1/HeartbeatResponse.js';
import type { RegisterRequest as _mo_v1_RegisterRequest, RegisterRequest__Output as _mo_v1_RegisterRequest__Output } from '../../mo/v1/RegisterRequest.js';
import type { RegisterResponse as _mo_v1_RegisterResponse, RegisterResponse__Output as _mo_v1_RegisterResponse__Output } from '../../mo/v1/RegisterResponse.js';

export interface NodeRegistryClient extends grpc.Client {
  Heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  Heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  
  Register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface NodeRegistryHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: grpc.handleBidiStreamingCall<_mo_v1_HeartbeatRequest__Output, _mo_v1_HeartbeatResponse>;
  
  Register: grpc.handleUnaryCall<_mo_v1_RegisterRequest__Output, _mo_v1_RegisterResponse>;
  
}

export interface NodeRegistryDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse, _mo_v1_HeartbeatRequest__Output, _mo_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_mo_v1_RegisterRequest, _mo_v1_RegisterResponse, _mo_v1_RegisterRequest__Output, _mo_v1_RegisterResponse__Output>
}
