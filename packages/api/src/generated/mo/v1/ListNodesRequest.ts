// Original file: proto/mo/v1/scheduler.proto


export interface ListNodesRequest {
}

export interface ListNodesRequest__Output {
}
