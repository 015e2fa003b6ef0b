# Runs one command and measures its whole process tree. Prints one JSON object on stdout:
#   wall_s      from spawn to the command's own exit
#   tree_s      from spawn until the last process of its tree (orphans included) exited
#   cpu_s       user + sys of every process of the tree: rusage of the command (which includes the
#               children it waited for) plus that of any orphan, reaped here (this process is a child
#               subreaper, so orphans are re-parented to it instead of to init)
#   peak_tree_mb   the largest sum of RSS over the tree's processes, sampled every INTERVAL s from /proc
#   peak_proc_mb   the largest single process's peak RSS (max of ru_maxrss over the reaped processes)
#   exit        the command's exit code (or -signal)
#   python measure.py OUT_FILE ERR_FILE -- CMD ARGS...
# With MEASURE_PSS=1 the tree's peak is also taken as PSS (from /proc/PID/smaps_rollup: shared pages such
# as libduckdb's split between the processes that map them), reported as peak_tree_pss_mb, and as USS (private pages only) in peak_tree_uss_mb; slower to poll.   (the command's stdout to OUT_FILE, stderr to ERR_FILE)
import ctypes, json, os, sys, threading, time

INTERVAL = 0.02
PAGE = os.sysconf('SC_PAGE_SIZE')
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def children(pid):
    out = []
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            with open(f'/proc/{pid}/task/{tid}/children') as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


PSS = os.environ.get('MEASURE_PSS') == '1'


def pss(pid):
    """(PSS, USS) of a process: its share of every page, and its private pages only."""
    p = u = 0
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            if line.startswith('Pss:'):
                p = int(line.split()[1]) * 1024
            elif line.startswith(('Private_Clean:', 'Private_Dirty:')):
                u += int(line.split()[1]) * 1024
    return p, u


def tree_rss():
    total, total_pss, total_uss, todo = 0, 0, 0, children(os.getpid())
    while todo:
        pid = todo.pop()
        try:
            with open(f'/proc/{pid}/statm') as f:
                total += int(f.read().split()[1]) * PAGE
            if PSS:
                p, u = pss(pid)
                total_pss, total_uss = total_pss + p, total_uss + u
        except OSError:
            continue
        todo += children(pid)
    return total, (total_pss, total_uss)


peak = 0
peak_pss = peak_uss = 0
done = threading.Event()


def poll():
    global peak, peak_pss, peak_uss
    while not done.is_set():
        rss, (p, u) = tree_rss()
        peak, peak_pss, peak_uss = max(peak, rss), max(peak_pss, p), max(peak_uss, u)
        time.sleep(INTERVAL)


out_file, err_file, cmd = sys.argv[1], sys.argv[2], sys.argv[4:]
fa = [(os.POSIX_SPAWN_OPEN, 1, out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
      (os.POSIX_SPAWN_OPEN, 2, err_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
      (os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0)]
started = time.perf_counter()
root = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=fa)
poller = threading.Thread(target=poll, daemon=True)
poller.start()
cpu, maxrss, wall, code = 0.0, 0, None, None
while True:
    try:
        pid, status, ru = os.wait4(-1, 0)
    except ChildProcessError:
        break
    cpu += ru.ru_utime + ru.ru_stime
    maxrss = max(maxrss, ru.ru_maxrss)
    if pid == root:
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
tree = time.perf_counter() - started
done.set()
poller.join()
print(json.dumps({'wall_s': wall, 'tree_s': tree, 'cpu_s': cpu, 'peak_tree_mb': peak / 2**20, 'peak_proc_mb': maxrss / 1024, 'exit': code,
                  **({'peak_tree_pss_mb': peak_pss / 2**20, 'peak_tree_uss_mb': peak_uss / 2**20} if PSS else {})}))
