// grpc.reflection.{v1,v1alpha}.ServerReflection's two messages as mo's one codec reads and writes
// them (wire/codec.ts, from the generated descriptor of proto/grpc/reflection): the codec's objects
// (camelCase names, the oneof's name set to its member) to the catalog's question, and its answer
// to a response. The two versions have the same fields and numbers; each is read and written as
// its own type. Pure: no gRPC here.
import { decodeMessage, encodeMessage } from '../wire/codec.js';

export type ReflectionVersion = 'v1' | 'v1alpha';

/** A ServerReflectionRequest as the codec decodes it: host always, at most one question. */
export interface ServerReflectionRequest {
  host: string;
  messageRequest?:
    | 'fileByFilename'
    | 'fileContainingSymbol'
    | 'fileContainingExtension'
    | 'allExtensionNumbersOfType'
    | 'listServices';
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: { containingType: string; extensionNumber: number };
  allExtensionNumbersOfType?: string;
  listServices?: string;
}

/** The question of one request (the catalog answers it; `none` is the caller's to refuse). */
export type ReflectionRequest =
  | { kind: 'file_by_filename'; name: string }
  | { kind: 'file_containing_symbol'; symbol: string }
  | { kind: 'file_containing_extension'; containingType: string; extensionNumber: number }
  | { kind: 'all_extension_numbers_of_type'; type: string }
  | { kind: 'list_services' }
  | { kind: 'none' };

/** What a ServerReflectionResponse carries besides the echoed request. */
export type ReflectionAnswer =
  | { kind: 'files'; files: Buffer[] }
  | { kind: 'extension_numbers'; baseTypeName: string; numbers: number[] }
  | { kind: 'services'; names: string[] }
  | { kind: 'error'; code: number; message: string };

const requestType = (v: ReflectionVersion) => `grpc.reflection.${v}.ServerReflectionRequest`;
const responseType = (v: ReflectionVersion) => `grpc.reflection.${v}.ServerReflectionResponse`;

/** Decodes a ServerReflectionRequest. @throws WireFormatError when the bytes are not protobuf. */
export function decodeRequest(version: ReflectionVersion, bytes: Buffer): ServerReflectionRequest {
  return decodeMessage<ServerReflectionRequest>(requestType(version), bytes);
}

/** Encodes a ServerReflectionRequest (a client's side; also what tests send). */
export function encodeRequest(version: ReflectionVersion, req: Partial<ServerReflectionRequest>): Buffer {
  return encodeMessage(requestType(version), req);
}

/** The question a decoded request asks. */
export function questionOf(req: ServerReflectionRequest): ReflectionRequest {
  switch (req.messageRequest) {
    case 'fileByFilename':
      return { kind: 'file_by_filename', name: req.fileByFilename! };
    case 'fileContainingSymbol':
      return { kind: 'file_containing_symbol', symbol: req.fileContainingSymbol! };
    case 'fileContainingExtension': {
      const { containingType, extensionNumber } = req.fileContainingExtension!;
      return { kind: 'file_containing_extension', containingType, extensionNumber };
    }
    case 'allExtensionNumbersOfType':
      return { kind: 'all_extension_numbers_of_type', type: req.allExtensionNumbersOfType! };
    case 'listServices':
      return { kind: 'list_services' };
    default:
      return { kind: 'none' };
  }
}

/** The response to `req` (echoed as the codec re-encodes it: unknown fields are not kept). */
export function encodeResponse(
  version: ReflectionVersion,
  req: ServerReflectionRequest,
  answer: ReflectionAnswer,
): Buffer {
  return encodeMessage(responseType(version), { validHost: req.host, originalRequest: req, ...responseOf(answer) });
}

function responseOf(answer: ReflectionAnswer): object {
  switch (answer.kind) {
    case 'files':
      return { fileDescriptorResponse: { fileDescriptorProto: answer.files } };
    case 'extension_numbers':
      return {
        allExtensionNumbersResponse: { baseTypeName: answer.baseTypeName, extensionNumber: answer.numbers },
      };
    case 'services':
      return { listServicesResponse: { service: answer.names.map((name) => ({ name })) } };
    case 'error':
      return { errorResponse: { errorCode: answer.code, errorMessage: answer.message } };
  }
}
