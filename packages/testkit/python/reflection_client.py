#!/usr/bin/python3
"""A stock gRPC client that knows nothing of mo but what server reflection tells it.

Debian's python3-grpcio has no grpc_reflection module, so the reflection protocol's messages are
declared here with descriptor_pb2 (the protocol, not mo's API). Everything about mo comes from the
servers: each file is added to a strict descriptor_pool.DescriptorPool (what rejects bad map
entries, as Go's protodesc and grpcurl do), message classes are made with message_factory, and
calls go through generic channel stubs. Prints one JSON report on stdout for the test to check.

usage: reflection_client.py --scheduler ADDR --agent ADDR [--protoc-set FILE]
"""
import argparse
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

F = descriptor_pb2.FieldDescriptorProto
DEADLINE_S = 10


def message_class(desc):
    # protobuf >= 4.22 has GetMessageClass; Debian 12 ships 4.21 (MessageFactory.GetPrototype).
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(desc.file.pool).GetPrototype(desc)


def reflection_messages():
    """ServerReflectionRequest/Response of grpc/reflection/v1/reflection.proto (same in v1alpha)."""
    f = descriptor_pb2.FileDescriptorProto(name="client/reflection.proto", package="client", syntax="proto3")

    def message(name, fields, oneof=None):
        m = f.message_type.add(name=name)
        if oneof:
            m.oneof_decl.add(name=oneof)
        for fname, number, ftype, extra in fields:
            field = m.field.add(name=fname, number=number, type=ftype, label=F.LABEL_OPTIONAL)
            if extra.get("repeated"):
                field.label = F.LABEL_REPEATED
            if "msg" in extra:
                field.type_name = ".client." + extra["msg"]
            if extra.get("oneof"):
                field.oneof_index = 0

    S, I, B, M = F.TYPE_STRING, F.TYPE_INT32, F.TYPE_BYTES, F.TYPE_MESSAGE
    o = {"oneof": True}
    message("ExtensionRequest", [("containing_type", 1, S, {}), ("extension_number", 2, I, {})])
    message(
        "ServerReflectionRequest",
        [
            ("host", 1, S, {}),
            ("file_by_filename", 3, S, o),
            ("file_containing_symbol", 4, S, o),
            ("file_containing_extension", 5, M, {"msg": "ExtensionRequest", "oneof": True}),
            ("all_extension_numbers_of_type", 6, S, o),
            ("list_services", 7, S, o),
        ],
        "message_request",
    )
    message("FileDescriptorResponse", [("file_descriptor_proto", 1, B, {"repeated": True})])
    message("ExtensionNumberResponse", [("base_type_name", 1, S, {}), ("extension_number", 2, I, {"repeated": True})])
    message("ServiceResponse", [("name", 1, S, {})])
    message("ListServiceResponse", [("service", 1, M, {"msg": "ServiceResponse", "repeated": True})])
    message("ErrorResponse", [("error_code", 1, I, {}), ("error_message", 2, S, {})])
    message(
        "ServerReflectionResponse",
        [
            ("valid_host", 1, S, {}),
            ("original_request", 2, M, {"msg": "ServerReflectionRequest"}),
            ("file_descriptor_response", 4, M, {"msg": "FileDescriptorResponse", "oneof": True}),
            ("all_extension_numbers_response", 5, M, {"msg": "ExtensionNumberResponse", "oneof": True}),
            ("list_services_response", 6, M, {"msg": "ListServiceResponse", "oneof": True}),
            ("error_response", 7, M, {"msg": "ErrorResponse", "oneof": True}),
        ],
        "message_response",
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return (
        message_class(pool.FindMessageTypeByName("client.ServerReflectionRequest")),
        message_class(pool.FindMessageTypeByName("client.ServerReflectionResponse")),
    )


Request, Response = reflection_messages()


def ask(channel, requests, version="v1"):
    """Sends requests on one ServerReflectionInfo stream; returns the responses in order."""
    call = channel.stream_stream(
        f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
        request_serializer=Request.SerializeToString,
        response_deserializer=Response.FromString,
    )
    return list(call(iter([Request(**r) for r in requests]), timeout=DEADLINE_S))


def files_of(response):
    if response.WhichOneof("message_response") != "file_descriptor_response":
        raise RuntimeError(f"expected files, got {response}")
    out = []
    for raw in response.file_descriptor_response.file_descriptor_proto:
        fd = descriptor_pb2.FileDescriptorProto()
        fd.ParseFromString(raw)
        out.append(fd)
    return out


def build_pool(files):
    """Adds every file to a fresh strict pool, each after its imports; raises what the pool says."""
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in files[name].dependency:
            add(dep)
        pool.Add(files[name])
        added.add(name)

    for name in sorted(files):
        add(name)
    return pool


def unary(channel, pool, method, request_fields):
    """Calls /pkg.Service/Method with messages built from the pool's descriptors."""
    service_name, method_name = method.rsplit("/", 1)
    m = pool.FindServiceByName(service_name).FindMethodByName(method_name)
    req_cls, res_cls = message_class(m.input_type), message_class(m.output_type)
    call = channel.unary_unary(
        f"/{service_name}/{method_name}",
        request_serializer=req_cls.SerializeToString,
        response_deserializer=res_cls.FromString,
    )
    return call(req_cls(**request_fields), timeout=DEADLINE_S)


def tls_channel(address, ca, cert, key, server_name):
    """A TLS channel with a client certificate; the server's certificate must name server_name
    (mo puts the role there: scheduler.mo, agent.<node>.mo)."""
    def read(path):
        with open(path, "rb") as fh:
            return fh.read()

    creds = grpc.ssl_channel_credentials(root_certificates=read(ca), private_key=read(key), certificate_chain=read(cert))
    return grpc.secure_channel(address, creds, options=[("grpc.ssl_target_name_override", server_name)])


def explore(channel, address, own_symbol_probe, protoc_files):
    """What one server says about itself, and whether a strict pool accepts it."""
    report = {"address": address}
    listed = ask(channel, [{"list_services": "*"}])[0]
    report["services"] = [s.name for s in listed.list_services_response.service]
    alpha = ask(channel, [{"list_services": ""}], "v1alpha")[0]
    report["services_v1alpha"] = [s.name for s in alpha.list_services_response.service]

    files = {}
    responses = ask(channel, [{"file_containing_symbol": s} for s in report["services"]])
    for r in responses:
        for fd in files_of(r):
            files[fd.name] = fd
    # Each file also by its name: the same descriptor, with its imports.
    by_name = ask(channel, [{"file_by_filename": n} for n in sorted(files)])
    report["by_filename"] = {n: [fd.name for fd in files_of(r)] for n, r in zip(sorted(files), by_name)}
    for n, r in zip(sorted(files), by_name):
        if files_of(r)[0] != files[n]:
            raise RuntimeError(f"{n}: file_by_filename and file_containing_symbol disagree")
    report["files"] = sorted(files)
    pool = build_pool(files)  # raises TypeError if the pool rejects a file
    report["pool"] = "accepted"

    missing = ask(channel, [{"file_containing_symbol": own_symbol_probe}])[0]
    report["probe"] = {
        "symbol": own_symbol_probe,
        "kind": missing.WhichOneof("message_response"),
        "error_code": missing.error_response.error_code,
    }
    if protoc_files is not None:
        report["differs_from_protoc"] = [n for n in sorted(files) if files[n] != protoc_files.get(n)]
    return channel, pool, report


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scheduler", required=True)
    p.add_argument("--agent", required=True)
    p.add_argument("--protoc-set", help="protoc --descriptor_set_out --include_imports of the same protos")
    p.add_argument("--ca", required=True, help="the cluster's CA certificate")
    p.add_argument("--client-cert", required=True, help="a client certificate (for the scheduler)")
    p.add_argument("--client-key", required=True)
    p.add_argument("--scheduler-cert", required=True, help="the scheduler's certificate (agents serve it alone)")
    p.add_argument("--scheduler-key", required=True)
    p.add_argument("--agent-node", required=True, help="the agent's node name (its certificate: agent.<node>.mo)")
    args = p.parse_args()
    protoc_files = None
    if args.protoc_set:
        s = descriptor_pb2.FileDescriptorSet()
        with open(args.protoc_set, "rb") as fh:
            s.ParseFromString(fh.read())
        protoc_files = {f.name: f for f in s.file}

    out = {}
    sched_ch = tls_channel(args.scheduler, args.ca, args.client_cert, args.client_key, "scheduler.mo")
    agent_ch = tls_channel(args.agent, args.ca, args.scheduler_cert, args.scheduler_key, f"agent.{args.agent_node}.mo")
    sched_ch, sched_pool, out["scheduler"] = explore(sched_ch, args.scheduler, "mo.v1.Nope", protoc_files)
    agent_ch, agent_pool, out["agent"] = explore(agent_ch, args.agent, "mo.v1.Scheduler", protoc_files)

    status = unary(sched_ch, sched_pool, "mo.v1.Scheduler/GetClusterStatus", {"recent_workloads": 5})
    # Fields by their proto (snake_case) names, as a user of the .proto would write them.
    out["cluster_status"] = {
        "scheduler_version": status.scheduler_version,
        "node_names": [n.name for n in status.nodes],
        "node_states": [sched_pool.FindEnumTypeByName("mo.v1.NodeState").values_by_number[n.state].name for n in status.nodes],
        "cpu_cores": [n.facts.cpu_cores for n in status.nodes],
        "queue_depth": status.queue_depth,
        "json_keys": sorted(json_format.MessageToDict(status).keys()),
    }
    node_facts = agent_pool.FindMessageTypeByName("mo.v1.NodeFacts")
    spec = agent_pool.FindMessageTypeByName("mo.v1.WorkloadSpec")
    out["descriptors"] = {
        "cpu_model_json_name": node_facts.fields_by_name["cpu_model"].json_name,
        "env_is_map": spec.fields_by_name["env"].message_type.GetOptions().map_entry,
        "env_entry": spec.fields_by_name["env"].message_type.full_name,
    }
    node = unary(agent_ch, agent_pool, "mo.v1.NodeAgent/GetNodeStatus", {"omit_workloads": True})
    out["node_status"] = {
        "node_name": node.facts.node_name,
        "cpu_cores": node.facts.cpu_cores,
        "memory_total_bytes": node.metrics.memory_total_bytes,
        "drivers": list(node.facts.drivers),
    }
    health = {}
    for who, ch, pool, service in [("scheduler", sched_ch, sched_pool, "mo.v1.Scheduler"), ("agent", agent_ch, agent_pool, "mo.v1.NodeAgent")]:
        for name in ["", service]:
            res = unary(ch, pool, "grpc.health.v1.Health/Check", {"service": name})
            enum = pool.FindMessageTypeByName("grpc.health.v1.HealthCheckResponse").enum_types_by_name["ServingStatus"]
            health[f"{who}:{name}"] = enum.values_by_number[res.status].name
    out["health"] = health
    for ch in (sched_ch, agent_ch):
        ch.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
