import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from './mo/v1/ArtifactRef.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from './mo/v1/ArtifactSpec.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from './mo/v1/CheckSpec.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from './mo/v1/CheckStatus.js';
import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from './mo/v1/DockerMount.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from './mo/v1/DockerSpec.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from './mo/v1/ExitStatus.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from './mo/v1/PortMapping.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from './mo/v1/PortSpec.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from './mo/v1/Resources.js';
import type { WorkloadEvent as _mo_v1_WorkloadEvent, WorkloadEvent__Output as _mo_v1_WorkloadEvent__Output } from './mo/v1/WorkloadEvent.js';
import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from './mo/v1/WorkloadSpec.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from './mo/v1/WorkloadStatus.js';
import type { WorkloadUsage as _mo_v1_WorkloadUsage, WorkloadUsage__Output as _mo_v1_WorkloadUsage__Output } from './mo/v1/WorkloadUsage.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mo: {
    v1: {
      ArtifactRef: MessageTypeDefinition<_mo_v1_ArtifactRef, _mo_v1_ArtifactRef__Output>
      ArtifactSpec: MessageTypeDefinition<_mo_v1_ArtifactSpec, _mo_v1_ArtifactSpec__Output>
      CheckSpec: MessageTypeDefinition<_mo_v1_CheckSpec, _mo_v1_CheckSpec__Output>
      CheckStatus: MessageTypeDefinition<_mo_v1_CheckStatus, _mo_v1_CheckStatus__Output>
      DockerMount: MessageTypeDefinition<_mo_v1_DockerMount, _mo_v1_DockerMount__Output>
      DockerSpec: MessageTypeDefinition<_mo_v1_DockerSpec, _mo_v1_DockerSpec__Output>
      ExitStatus: MessageTypeDefinition<_mo_v1_ExitStatus, _mo_v1_ExitStatus__Output>
      Health: EnumTypeDefinition
      PortMapping: MessageTypeDefinition<_mo_v1_PortMapping, _mo_v1_PortMapping__Output>
      PortSpec: MessageTypeDefinition<_mo_v1_PortSpec, _mo_v1_PortSpec__Output>
      Priority: EnumTypeDefinition
      Resources: MessageTypeDefinition<_mo_v1_Resources, _mo_v1_Resources__Output>
      WorkloadEvent: MessageTypeDefinition<_mo_v1_WorkloadEvent, _mo_v1_WorkloadEvent__Output>
      WorkloadSpec: MessageTypeDefinition<_mo_v1_WorkloadSpec, _mo_v1_WorkloadSpec__Output>
      WorkloadState: EnumTypeDefinition
      WorkloadStatus: MessageTypeDefinition<_mo_v1_WorkloadStatus, _mo_v1_WorkloadStatus__Output>
      WorkloadUsage: MessageTypeDefinition<_mo_v1_WorkloadUsage, _mo_v1_WorkloadUsage__Output>
    }
  }
}

