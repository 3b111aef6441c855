#!/usr/bin/env python3
"""Python multiprocessing peers of the ipckit bench harness.

Runs one workload between separate Python processes (start method "spawn", the portable default) and prints one
line the harness parses:

    RESULT contestant=<id> workload=<id> value=<headline> unit=<ns|per_s> sent=<n> received=<n> checksum=<n> ...

Round trips also write every sample (int64 nanoseconds, native order) to the file given with --samples. The harness
checks counts and checksums against its own formula: a message carries (sequence, producer); the checksum is the
sum over received messages of sequence + producer * 2**32, modulo 2**64.
"""
import argparse
import multiprocessing as mp
import os
import struct
import sys
import time
from array import array

HEADER = struct.Struct("<qii")  # sequence, producer, length
MASK = (1 << 64) - 1
STOP = b""
QUEUE_BOUND = 10000


def message(sequence, producer, length):
    return HEADER.pack(sequence, producer, length) + bytes(length - HEADER.size)


def check(data, length, producer_count):
    if len(data) != length:
        raise ValueError("a message of %d bytes where %d were sent" % (len(data), length))
    sequence, producer, header_length = HEADER.unpack_from(data)
    if header_length != length or not 0 <= producer < producer_count:
        raise ValueError("a corrupt header: %r" % (HEADER.unpack_from(data),))
    return sequence, producer


def now():
    return time.perf_counter_ns()


# ---- round trip over a Pipe -------------------------------------------------------------------------------------

def pong(conn, length, results):
    count = checksum = 0
    while True:
        data = conn.recv_bytes()
        if data == STOP:
            break
        sequence, _ = check(data, length, 1)
        if sequence != count:
            raise ValueError("ping %d where %d was due" % (sequence, count))
        conn.send_bytes(data)
        count += 1
        checksum += sequence
    results.put((count, checksum & MASK))


def round_trip(args):
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe()
    results = ctx.Queue()
    child = ctx.Process(target=pong, args=(there, args.length, results))
    child.start()
    samples = array("q")
    warm_end = now() + args.warmup_ns
    end = warm_end + args.measure_ns
    sequence = checksum = 0
    while (sequence < args.max) if args.max else (now() < end):
        data = message(sequence, 0, args.length)
        start = now()
        here.send_bytes(data)
        echo = here.recv_bytes()
        stop = now()
        if echo != data:
            raise ValueError("echo of %d differs" % sequence)
        if start >= warm_end:
            samples.append(stop - start)
        checksum += sequence
        sequence += 1
    here.send_bytes(STOP)
    received, pong_checksum = results.get(timeout=60)
    child.join(60)
    with open(args.samples, "wb") as out:
        samples.tofile(out)
    samples_sorted = sorted(samples)
    value = samples_sorted[len(samples_sorted) // 2] if samples_sorted else 0
    return dict(value=value, unit="ns", sent=sequence, received=received, checksum=pong_checksum,
                ping_checksum=checksum & MASK, samples=len(samples))


# ---- throughput over a Pipe or a Queue --------------------------------------------------------------------------

def produce(send, producer, length, warmup_ns, measure_ns, max_messages, consumers, results, go):
    go.wait()
    end = now() + warmup_ns + measure_ns
    sequence = 0
    while True:
        if max_messages:
            if sequence >= max_messages:
                break
        elif (sequence & 63) == 0 and now() >= end:
            break
        send(message(sequence, producer, length))
        sequence += 1
    for _ in range(consumers):
        send(STOP)
    results.put(("producer", producer, sequence, 0, 0, 0, 0))


def consume(receive, consumer, length, producer_count, stops, warmup_ns, results, go):
    go.wait()
    warm_end = now() + warmup_ns
    count = checksum = window_count = 0
    window_start = window_end = 0
    last = [-1] * producer_count
    while stops:
        data = receive()
        if data == STOP:
            stops -= 1
            continue
        sequence, producer = check(data, length, producer_count)
        if sequence <= last[producer]:
            raise ValueError("sequence %d from producer %d after %d" % (sequence, producer, last[producer]))
        last[producer] = sequence
        count += 1
        checksum += sequence + (producer << 32)
        t = now()
        if t >= warm_end:
            if not window_start:
                window_start = t
            else:
                window_count += 1
            window_end = t
    results.put(("consumer", consumer, count, checksum & MASK, window_count, window_start, window_end))


def pipe_endpoints(ctx, pairs):
    ends = [ctx.Pipe(duplex=False) for _ in range(pairs)]
    return [(r.recv_bytes, w.send_bytes) for r, w in ends]


def throughput(args, kind, pairs):
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    go = ctx.Event()
    processes = []
    if kind == "pipe":
        for index, (receive, send) in enumerate(pipe_endpoints(ctx, pairs)):
            processes.append(ctx.Process(target=produce, args=(
                send, index, args.length, args.warmup_ns, args.measure_ns, args.max, 1, results, go)))
            processes.append(ctx.Process(target=consume, args=(
                receive, index, args.length, pairs, 1, args.warmup_ns, results, go)))
    else:
        # bounded, so that producers feel back-pressure as with every other transport (an unbounded Queue
        # buffers millions of messages in the producer and the run then lasts as long as the backlog)
        queue = ctx.Queue(maxsize=QUEUE_BOUND)
        for index in range(pairs):
            processes.append(ctx.Process(target=produce, args=(
                queue.put, index, args.length, args.warmup_ns, args.measure_ns, args.max, 1, results, go)))
            processes.append(ctx.Process(target=consume, args=(
                queue.get, index, args.length, pairs, 1, args.warmup_ns, results, go)))
    for process in processes:
        process.start()
    go.set()
    reports = [results.get(timeout=args.timeout) for _ in processes]
    for process in processes:
        process.join(60)
    sent = sum(r[2] for r in reports if r[0] == "producer")
    received = sum(r[2] for r in reports if r[0] == "consumer")
    checksum = sum(r[3] for r in reports if r[0] == "consumer") & MASK
    consumers = [r for r in reports if r[0] == "consumer"]
    window_count = sum(r[4] for r in consumers)
    span = max(r[6] for r in consumers) - min(r[5] for r in consumers)
    producers = ",".join("%d:%d" % (r[1], r[2]) for r in reports if r[0] == "producer")
    return dict(value=window_count * 1e9 / span if span > 0 else 0, unit="per_s", sent=sent, received=received,
                checksum=checksum, producers=producers, window=window_count)


# ---- 64 MiB array through SharedMemory + numpy ------------------------------------------------------------------

def attach_and_sum(conn, elements):
    import numpy as np
    from multiprocessing import shared_memory
    while True:
        name = conn.recv()
        if name is None:
            return
        shm = shared_memory.SharedMemory(name=name)
        total = int(np.ndarray((elements,), dtype=np.float64, buffer=shm.buf).sum())
        done = now()
        shm.close()
        conn.send((done, total))


def array_handoff(args):
    import numpy as np
    from multiprocessing import shared_memory
    elements = args.length // 8
    expected = elements * (elements - 1) // 2
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe()
    child = ctx.Process(target=attach_and_sum, args=(there, elements))
    child.start()
    shm = shared_memory.SharedMemory(create=True, size=args.length)
    try:
        array_view = np.ndarray((elements,), dtype=np.float64, buffer=shm.buf)
        array_view[:] = np.arange(elements, dtype=np.float64)
        times, local, sums = [], [], []
        end = now() + args.warmup_ns + args.measure_ns
        rounds = 0
        while (rounds < args.max) if args.max else (rounds < 3 or now() < end):
            start = now()
            here.send(shm.name)
            done, total = here.recv()
            times.append(done - start)
            sums.append(total)
            start = now()
            local_total = int(array_view.sum())
            local.append(now() - start)
            sums.append(local_total)
            rounds += 1
        here.send(None)
        child.join(60)
        del array_view
    finally:
        shm.close()
        shm.unlink()
    times.sort()
    local.sort()
    good = sum(1 for s in sums if s == expected)
    return dict(value=times[len(times) // 2], unit="ns", sent=len(sums), received=good, checksum=0,
                in_process_ns=local[len(local) // 2], rounds=rounds)


# ---- Manager().dict(), Pool.map, Value with lock ----------------------------------------------------------------

def process_cpu_ns(pid):
    """CPU time (user + system) of another process, from /proc, in nanoseconds."""
    import os
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))] if sorted_values else 0


def manager_client(shared, warmup_ns, measure_ns, max_ops, results, server_pid):
    warm_end = now() + warmup_ns
    end = warm_end + measure_ns
    ops = window_ops = errors = 0
    window_start = window_end = 0
    cpu_start = server_cpu_start = 0
    gets = array("q")
    puts = array("q")
    while (ops < max_ops) if max_ops else (now() < end):
        key = ops & 1023
        t0 = now()
        shared[key] = ops
        t1 = now()
        if shared[key] != ops:
            errors += 1
        ops += 2
        t = now()
        if t >= warm_end:
            if not window_start:
                window_start = t
                cpu_start = time.process_time_ns()
                server_cpu_start = process_cpu_ns(server_pid)
            else:
                window_ops += 2
                puts.append(t1 - t0)
                gets.append(t - t1)
            window_end = t
    cpu = time.process_time_ns() - cpu_start
    server_cpu = process_cpu_ns(server_pid) - server_cpu_start
    results.put((ops, errors, window_ops, window_start, window_end, sorted(gets), sorted(puts), cpu, server_cpu))


def manager_dict(args):
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        shared = manager.dict()
        results = ctx.Queue()
        child = ctx.Process(target=manager_client, args=(shared, args.warmup_ns, args.measure_ns, args.max, results,
                                                         manager._process.pid))
        child.start()
        ops, errors, window_ops, window_start, window_end, gets, puts, cpu, server_cpu = results.get(
            timeout=args.timeout)
        child.join(60)
        stored = len(shared)
        creations = array("q")
        for i in range(2 * 500):  # as the ipckit contestant: the p50 of the second 500 dicts created
            t0 = now()
            made = manager.dict()
            t1 = now()
            if i >= 500:
                creations.append(t1 - t0)
            del made
        creations = sorted(creations)
    span = window_end - window_start
    per_op = lambda total: total / window_ops if window_ops else 0
    return dict(value=span / window_ops if window_ops else 0, unit="ns", sent=ops, received=ops - errors,
                checksum=0, keys=stored, get_p50_ns=percentile(gets, 0.5), get_p99_ns=percentile(gets, 0.99),
                put_p50_ns=percentile(puts, 0.5), put_p99_ns=percentile(puts, 0.99),
                create_p50_ns=percentile(creations, 0.5), cpu_per_op_ns=per_op(cpu),
                server_cpu_per_op_ns=per_op(server_cpu))


def increment(x):
    return x + 1


def cpu_ns(pids=()):
    """CPU time of this process and of the given live processes (from /proc), in ns."""
    t = os.times()
    total = int((t.user + t.system) * 1e9)
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) * 10_000_000
    return total


def pool_map(args, chunked=False):
    ctx = mp.get_context("spawn")
    tasks = done = 0
    total = expected = 0
    batch_size = 100_000 if chunked else 200
    chunksize = None if chunked else 1
    with ctx.Pool(2) as pool:
        pool.map(increment, range(100), chunksize=1)
        warm_end = now() + args.warmup_ns
        while now() < warm_end and not args.max:
            pool.map(increment, range(batch_size), chunksize=chunksize)
        pids = [p.pid for p in pool._pool]
        cpu_start = cpu_ns(pids)
        start = now()
        while (tasks < args.max) if args.max else (tasks == 0 or now() - start < args.measure_ns):
            batch = batch_size if not args.max else min(batch_size, args.max - tasks)
            results = pool.map(increment, range(tasks, tasks + batch), chunksize=chunksize)
            total += sum(results)
            expected += sum(range(tasks + 1, tasks + batch + 1))
            done += len(results)
            tasks += batch
        elapsed = now() - start
        cpu = cpu_ns(pids) - cpu_start
    return dict(value=elapsed / tasks, unit="ns", sent=tasks, received=done if total == expected else 0,
                checksum=0, cpu_per_task_ns=cpu / tasks)


def start_child(conn):
    conn.send(os.getpid())
    t = os.times()
    conn.send(int((t.user + t.system) * 1e9))
    conn.close()


def start_once(ctx, kind):
    """One start with spawn: Pool(2) until the first result, or Process until its first message."""
    cpu_start = cpu_ns()
    if kind == "pool":
        start = now()
        with ctx.Pool(2) as pool:
            pid = pool.apply(os.getpid)
            elapsed = now() - start
            cpu = cpu_ns([p.pid for p in pool._pool]) - cpu_start
        ok = pid != os.getpid()
    else:
        receive, send = ctx.Pipe(duplex=False)
        start = now()
        child = ctx.Process(target=start_child, args=(send,))
        child.start()
        pid = receive.recv()
        elapsed = now() - start
        child_cpu = receive.recv()
        child.join(60)
        send.close()
        receive.close()
        cpu = cpu_ns() - cpu_start + child_cpu
        ok = pid == child.pid and child.exitcode == 0
    return elapsed, cpu, ok


def start_up(args, kind):
    ctx = mp.get_context("spawn")
    warm_end = now() + args.warmup_ns
    starts = 0
    while starts < 3 or (now() < warm_end and not args.max):
        start_once(ctx, kind)
        starts += 1
    times = []
    cpu = 0
    good = 0
    cap = min(args.max, 5) if args.max else 200
    measure_end = now() + args.measure_ns
    while len(times) < cap and (len(times) < 5 or now() < measure_end):
        elapsed, used, ok = start_once(ctx, kind)
        times.append(elapsed)
        cpu += used
        good += 1 if ok else 0
    times.sort()
    return dict(value=times[len(times) // 2], unit="ns", sent=len(times), received=good, checksum=0,
                min_ns=times[0], max_ns=times[-1], cpu_per_start_ns=cpu / len(times))


def lock_worker(value, warmup_ns, measure_ns, max_ops, results, go):
    go.wait()
    end = now() + warmup_ns + measure_ns
    ops = 0
    while (ops < max_ops) if max_ops else (now() < end):
        with value.get_lock():
            value.value += 1
        ops += 1
    results.put(ops)


def lock_increment(args):
    ctx = mp.get_context("spawn")
    value = ctx.Value("q", 0, lock=True)
    results = ctx.Queue()
    go = ctx.Event()
    workers = [ctx.Process(target=lock_worker, args=(value, args.warmup_ns, args.measure_ns, args.max, results, go))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    start = now()
    go.set()
    counts = [results.get(timeout=args.timeout) for _ in workers]
    elapsed = now() - start
    for worker in workers:
        worker.join(60)
    return dict(value=sum(counts) * 1e9 / elapsed, unit="per_s", sent=sum(counts), received=value.value, checksum=0)


# ---- command line -----------------------------------------------------------------------------------------------

CONTESTANTS = {
    ("python-pipe", "rtt-32b"): round_trip,
    ("python-pipe", "tput-1to1-64b"): lambda a: throughput(a, "pipe", 1),
    ("python-queue", "tput-1to1-64b"): lambda a: throughput(a, "queue", 1),
    ("python-queue", "tput-2to2-64b"): lambda a: throughput(a, "queue", 2),
    ("python-shm-numpy", "array-64mib"): array_handoff,
    ("python-value-lock", "lock-2proc"): lock_increment,
    ("python-manager", "manager-dict"): manager_dict,
    ("python-pool", "pool-task"): pool_map,
    ("python-pool", "pool-map-default"): lambda a: pool_map(a, chunked=True),
    ("python-start", "pool-start"): lambda a: start_up(a, "pool"),
    ("python-start", "process-start"): lambda a: start_up(a, "process"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestant", required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--warmup-ns", type=int, default=0)
    parser.add_argument("--measure-ns", type=int, default=1_000_000_000)
    parser.add_argument("--max", type=int, default=0, help="cap on messages or operations, 0 for none")
    parser.add_argument("--samples", default="/dev/null")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    run = CONTESTANTS.get((args.contestant, args.workload))
    if run is None:
        parser.error("no workload %s on %s; known: %s" % (args.workload, args.contestant, sorted(CONTESTANTS)))
    result = run(args)
    fields = " ".join("%s=%s" % (k, v) for k, v in result.items())
    print("RESULT contestant=%s workload=%s %s" % (args.contestant, args.workload, fields), flush=True)


if __name__ == "__main__":
    sys.exit(main())
