#!/usr/bin/env python3
"""Writes $OUT/gpu-check.json from what backend-cuda/gpu-check.sh's steps left; gpu-check.sh runs it after every step.

Reads (each may be missing; then the field says why): the steps table, nvidia-smi's and java -version's output,
the `nabla backends` output, $OUT/tests.json (GpuTestRun), $OUT/nabla-report.json (or the run's history.json),
$OUT/torch.json (torch_ref.py), .gpu/MANIFEST.txt. Environment: GPU_CHECK_WORK_DIR, GPU_CHECK_OUT, GPU_CHECK_PACK,
GPU_CHECK_STARTED (set by gpu-check.sh). Standard library only."""
import datetime, json, os, platform, re, socket, statistics

work = os.environ['GPU_CHECK_WORK_DIR']
out = os.environ['GPU_CHECK_OUT']
pack = os.environ.get('GPU_CHECK_PACK', '')
started = int(os.environ.get('GPU_CHECK_STARTED', '0'))


def read(path, limit=200_000):
    try:
        with open(path, errors='replace') as f:
            return f.read(limit)
    except OSError:
        return None


def load(path):
    text = read(path, 50_000_000)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as e:
        return {'_unreadable': f'{os.path.basename(path)}: {e}'}


def steps():
    rows = {}
    for line in (read(os.path.join(work, 'steps.tsv')) or '').splitlines():
        name, rc, secs, limit = (line.split('\t') + ['', '', '', ''])[:4]
        rows[name] = {'exit': None if rc == '-' else int(rc), 'seconds': float(secs or 0),
                      'timeout_s': int(limit or 0), 'ran': rc != '-'}
    return rows


def last_lines(name, n=3):
    """The last lines of a step's output that say something (no blank lines, no JVM warnings, no stack frames)."""
    text = read(os.path.join(work, 'logs', name + '.log'), 5_000_000) or ''
    keep = [l.strip() for l in text.splitlines()
            if l.strip() and not l.startswith('WARNING:') and not l.lstrip().startswith('at ')]
    return ' | '.join(keep[-n:])[-1500:]


def status(step_name, rows, extra_ok=None):
    s = rows.get(step_name)
    if s is None:
        return 'not run yet (the check was cut off before this step)'
    if not s['ran']:
        return 'not run: the time budget was spent'
    if s['exit'] in (124, 137):
        return f"timed out after {s['timeout_s']} s: {last_lines(step_name)}"
    if s['exit'] == 0:
        return 'ok' if extra_ok is None else extra_ok
    return f"failed (exit {s['exit']}): {last_lines(step_name)}"


def median_later(secs):
    """Median epoch seconds over epochs 2.. (the first carries warm-up: JIT, cuDNN autotuning); all when only one."""
    secs = [s for s in (secs or []) if isinstance(s, (int, float))]
    if not secs:
        return None
    return statistics.median(secs[1:] if len(secs) > 1 else secs)


def main():
    rows = steps()
    doc = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
           'host': socket.gethostname(), 'os': f'{platform.system()} {platform.release()} {platform.machine()}',
           'complete': 'nabla' in rows}

    # facts
    gpu_csv = (read(os.path.join(work, 'gpu.csv')) or '').strip().splitlines()
    if gpu_csv:
        parts = [p.strip() for p in gpu_csv[0].split(',')]
        doc['gpu'] = parts[0]
        doc['driver'] = parts[1] if len(parts) > 1 else None
        doc['gpu_memory'] = parts[2] if len(parts) > 2 else None
        doc['compute_capability'] = parts[3] if len(parts) > 3 else None
        doc['gpus'] = len(gpu_csv)
    else:
        doc['gpu'] = None
        doc['driver'] = None
        facts = read(os.path.join(work, 'logs', 'facts.log')) or ''
        doc['gpu_note'] = 'nvidia-smi not found' if 'nvidia-smi: not found' in facts else 'nvidia-smi gave no GPU'
    java = read(os.path.join(work, 'java.txt')) or ''
    m = re.search(r'version "([^"]+)"', java)
    doc['java'] = (m.group(1) + ' (' + java.strip().splitlines()[-1].strip() + ')') if m else None

    # the probe: the cuda line of `nabla backends`
    backends = read(os.path.join(work, 'logs', 'backends.log')) or ''
    probe = [l.strip() for l in backends.splitlines() if re.match(r'\s*cuda\b', l)]
    doc['probe'] = probe[0] if probe else None
    doc['probe_available'] = bool(probe) and re.match(r'cuda\s+available', probe[0]) is not None
    doc['backends'] = [l.rstrip() for l in backends.splitlines() if l.strip() and not l.startswith('WARNING:')][:20]
    doc['libraries'] = (read(os.path.join(work, 'libs.txt')) or '').strip().splitlines()
    doc['data'] = (read(os.path.join(work, 'data.txt')) or '').strip() or None

    # tests
    t = load(os.path.join(out, 'tests.json'))
    if t and '_unreadable' not in t:
        # run: tests that reached a verdict; aborted ones (a failed assumption: CUDA unavailable) and skipped ones did not
        tests = {'found': t.get('found'), 'run': (t.get('succeeded') or 0) + (t.get('failed') or 0),
                 'succeeded': t.get('succeeded'), 'failed': t.get('failed'), 'skipped': t.get('skipped'),
                 'aborted': t.get('aborted'), 'complete': t.get('complete'), 'cut_off_in': t.get('running'),
                 'failures': [{'name': f.get('name'), 'message': f.get('message')} for f in t.get('failures', [])][:50],
                 'skip_reasons': sorted(t.get('skip_reasons', []), key=lambda r: -r.get('count', 0))[:5],
                 'excluded': t.get('excluded_patterns'), 'details': 'tests.json'}
    else:
        tests = {'found': None, 'run': None, 'failed': None, 'skipped': None, 'failures': []}
        if t:
            tests['error'] = t['_unreadable']
    tests['status'] = status('tests', rows)
    if t and '_unreadable' not in t and rows.get('tests', {}).get('exit') in (0, 1):
        idle = (t.get('skipped') or 0) + (t.get('aborted') or 0)
        reasons = tests.get('skip_reasons') or [{}]
        tests['status'] = (('ok' if not t.get('failed') else f"{t.get('failed')} failed")
                           + (f"; {idle} of {t.get('found')} did not run (skipped or aborted), mostly: "
                              f"{str(reasons[0].get('reason', ''))[:200]}" if idle else ''))
    doc['tests'] = tests

    # Nabla's training
    report = load(os.path.join(out, 'nabla-report.json'))
    nabla = {'epoch_seconds': None, 'test_accuracy': None}
    if report and '_unreadable' not in report:
        for k in ('epoch_seconds', 'test_accuracy', 'test_accuracy_per_epoch', 'epoch_seconds_with_test', 'device',
                  'data_source', 'train_samples', 'test_samples', 'total_seconds', 'lr_schedule'):
            nabla[k] = report.get(k)
        nabla['source'] = 'nabla-report.json'
    else:
        history = load(os.path.join(out, 'nabla-history.json')) or load(os.path.join(work, 'nabla-run', 'history.json'))
        if history and isinstance(history.get('epochs'), list):
            nabla['epoch_seconds'] = [e.get('seconds') for e in history['epochs']]
            nabla['test_accuracy'] = history['epochs'][-1].get('validation_accuracy') if history['epochs'] else None
            nabla['source'] = 'history.json (no report: the run stopped after training)'
        else:
            # cut off during training: the epochs it finished, from its progress lines (0.1 s resolution)
            lines = re.findall(r'^epoch (\d+)/(\d+) .*\| test loss \S+ acc ([\d.]+) \| ([\d.]+) s train',
                               read(os.path.join(work, 'logs', 'nabla.log'), 5_000_000) or '', re.M)
            if lines:
                nabla['epoch_seconds'] = [float(l[3]) for l in lines]
                nabla['test_accuracy_per_epoch'] = [float(l[2]) for l in lines]
                nabla['test_accuracy'] = float(lines[-1][2]) if lines[-1][0] == lines[-1][1] else None
                nabla['source'] = f'progress lines in the log: {len(lines)} of {lines[-1][1]} epochs finished'
    nabla['status'] = status('nabla', rows)
    doc['nabla'] = nabla

    # PyTorch
    tr = load(os.path.join(out, 'torch.json'))
    torch = {'epoch_seconds': None, 'test_accuracy': None}
    if tr and '_unreadable' not in tr:
        for k in ('epoch_seconds', 'test_accuracy', 'torch', 'gpu', 'device'):
            torch[k] = tr.get(k)
    torch['status'] = status('torch', rows)
    doc['torch'] = torch

    n, p = median_later(nabla['epoch_seconds']), median_later(torch['epoch_seconds'])
    doc['nabla_median_epoch_s'] = n
    doc['torch_median_epoch_s'] = p
    doc['ratio_epoch'] = round(n / p, 3) if n and p else None
    doc['ratio_note'] = ('median of epochs 2-3, Nabla over PyTorch, same machine and call' if doc['ratio_epoch']
                         else 'needs epoch times from both Nabla and PyTorch')

    doc['steps'] = rows
    doc['seconds'] = round(datetime.datetime.now().timestamp() - started, 1) if started else None
    doc['pack'] = (read(os.path.join(pack, 'MANIFEST.txt')) or 'no .gpu/MANIFEST.txt').strip().splitlines()

    tmp = os.path.join(out, 'gpu-check.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    os.replace(tmp, os.path.join(out, 'gpu-check.json'))


if __name__ == '__main__':
    main()
