// What one server's reflection answers, decided from the generated file descriptors alone (pure:
// no gRPC here). A server describes only what it serves: the files that define its services and
// the standard health and reflection services, with everything they import.
import { status } from '@grpc/grpc-js';
import { PROTO_FILES, type ProtoFileDescriptor } from '../generated/reflection.js';
import { quote } from '../validation.js';
import type { ReflectionAnswer, ReflectionRequest } from './messages.js';

/** The standard services every mo server serves next to its own (see server.ts). */
export const STANDARD_SERVICES = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
] as const;

export class ReflectionCatalog {
  /** Every service this server serves, in the order list_services reports them. */
  readonly services: readonly string[];
  private readonly files = new Map<string, ProtoFileDescriptor>();
  private readonly symbols = new Map<string, ProtoFileDescriptor>();
  private readonly messages = new Set<string>();
  private readonly decoded = new Map<string, Buffer>();

  /** `services`: the server's own fully qualified services ("mo.v1.NodeAgent"). */
  constructor(services: readonly string[], all: readonly ProtoFileDescriptor[] = PROTO_FILES) {
    this.services = [...new Set([...services, ...STANDARD_SERVICES])];
    const byName = new Map(all.map((f) => [f.name, f]));
    const definedIn = new Map(all.flatMap((f) => f.services.map((s) => [s, f] as const)));
    const add = (file: ProtoFileDescriptor) => {
      if (this.files.has(file.name)) return;
      this.files.set(file.name, file);
      for (const s of file.symbols) this.symbols.set(s, file);
      for (const m of file.messages) this.messages.add(m);
      for (const dep of file.dependencies) {
        const d = byName.get(dep);
        if (!d) throw new Error(`reflection: ${file.name} imports ${dep}, which was not generated`);
        add(d);
      }
    };
    for (const s of this.services) {
      const file = definedIn.get(s);
      if (!file) throw new Error(`reflection: no generated .proto defines service ${s}`);
      add(file);
    }
  }

  /** The answer to one request; `none` (no question set) is the caller's to refuse. */
  answer(req: Exclude<ReflectionRequest, { kind: 'none' }>): ReflectionAnswer {
    switch (req.kind) {
      case 'list_services':
        return { kind: 'services', names: [...this.services] };
      case 'file_by_filename': {
        const file = this.files.get(req.name);
        return file ? this.withDependencies(file) : notFound(`file ${quote(req.name)} not found`);
      }
      case 'file_containing_symbol': {
        const file = this.symbols.get(symbolName(req.symbol));
        return file ? this.withDependencies(file) : notFound(`symbol ${quote(req.symbol)} not found`);
      }
      case 'file_containing_extension':
        // No served file declares an extension.
        return notFound(
          `extension ${req.extensionNumber} of ${quote(req.containingType)} not found: no served file declares extensions`,
        );
      case 'all_extension_numbers_of_type':
        return this.messages.has(symbolName(req.type))
          ? { kind: 'extension_numbers', baseTypeName: symbolName(req.type), numbers: [] }
          : notFound(`message type ${quote(req.type)} not found`);
    }
  }

  /** The file, then everything it imports, transitively, each once (as grpc's servers send). */
  private withDependencies(file: ProtoFileDescriptor): ReflectionAnswer {
    const order: ProtoFileDescriptor[] = [];
    const seen = new Set<string>();
    const visit = (f: ProtoFileDescriptor) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      order.push(f);
      for (const dep of f.dependencies) visit(this.files.get(dep)!);
    };
    visit(file);
    return { kind: 'files', files: order.map((f) => this.bytes(f)) };
  }

  private bytes(file: ProtoFileDescriptor): Buffer {
    let b = this.decoded.get(file.name);
    if (!b) {
      b = Buffer.from(file.descriptor, 'base64');
      this.decoded.set(file.name, b);
    }
    return b;
  }
}

/** Names are fully qualified without a leading dot; one is tolerated. */
function symbolName(s: string): string {
  return s.startsWith('.') ? s.slice(1) : s;
}

function notFound(message: string): ReflectionAnswer {
  return { kind: 'error', code: status.NOT_FOUND, message };
}
