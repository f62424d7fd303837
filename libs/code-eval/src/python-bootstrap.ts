/**
 * The Python program's first code, run as `python -I -S -X utf8 -c BOOTSTRAP` under the OS limits.
 * It reads the job (JSON on stdin: code, allowed modules, test calls, names to report, scratch
 * directory), imports the allowed modules, then installs the guards and runs the program:
 *
 * - An audit hook (PEP 578; it cannot be removed once added) refuses every side effect the
 *   program is not allowed: opening files outside the scratch directory (reads are also allowed
 *   in the standard library), any socket, process, signal, ctypes, mmap, gc, trace or audit-hook
 *   operation, first-time imports of modules off the allow-list, and, while the program runs,
 *   frame and code-object access (tb_frame, gi_frame, __code__, sys._getframe), marshal and
 *   code-object construction, which are the doors to the bootstrap's state and to hand-made
 *   bytecode. Any other event it does not know is refused too. A refusal writes a `violation`
 *   report and ends the process at once (os._exit), so the program cannot catch it and go on.
 * - `builtins.__import__` is replaced by a gate that refuses modules off the allow-list even when
 *   the interpreter already holds them (os and sys are loaded at start-up).
 *
 * Reports are JSON lines on fd 3, which the program has no way to open (opening a descriptor
 * other than 0, 1 and 2 is refused). The program reaches the bootstrap's objects only through
 * interpreter internals; what it could do with them is still bounded by the audit hook and the
 * operating system. At worst it could forge its own report, changing its own score only.
 */
export const PYTHON_BOOTSTRAP = String.raw`
import sys, os, builtins, json, traceback, linecache, tokenize, ast, codecs

def _bootstrap():
    # Everything the guards use is captured here: the program may rebind builtins and module
    # attributes, never these references.
    _write, _exit, _lstat, _readlink, _getcwd = os.write, os._exit, os.lstat, os.readlink, os.getcwd
    _isinstance, _len, _repr, _sorted, _type, _reversed = isinstance, len, repr, sorted, type, reversed
    _str, _bytes, _int, _float, _bool, _list, _dict, _tuple = str, bytes, int, float, bool, list, dict, tuple
    _set, _frozenset, _enumerate, _getattr = set, frozenset, enumerate, getattr
    _BaseException, _SystemExit, _OSError = BaseException, SystemExit, OSError
    _exact_str, _decode, _exact_int = str.__str__, bytes.decode, int.__int__
    _encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(',', ':')).encode
    _stdout, _stderr = sys.stdout, sys.stderr
    _compile, _exec, _eval = compile, exec, eval

    def report(obj):
        data = (_encode(obj) + '\n').encode('utf-8')
        view = memoryview(data)
        while _len(view):
            view = view[_write(3, view):]

    def flush():
        for stream in (_stdout, _stderr):
            try:
                stream.flush()
            except _BaseException:
                pass

    def text(value):
        """An exact str of a str or bytes path or name (never a subclass's overridden methods)."""
        if _isinstance(value, _str):
            return _exact_str(value)
        if _isinstance(value, _bytes):
            return _decode(value, 'utf-8', 'surrogateescape')
        return None

    def resolve(path):
        """Absolute path with '.', '..' and symlinks resolved, using only captured primitives."""
        if not path.startswith('/'):
            path = _getcwd() + '/' + path
        todo = path.split('/')
        todo.reverse()
        done = []
        hops = 0
        while todo:
            part = todo.pop()
            if part == '' or part == '.':
                continue
            if part == '..':
                if done:
                    done.pop()
                continue
            candidate = '/' + '/'.join(done + [part])
            try:
                is_link = (_lstat(candidate).st_mode & 0o170000) == 0o120000
            except _OSError:
                is_link = False
            if not is_link:
                done.append(part)
                continue
            hops += 1
            if hops > 40:
                return None
            target = _readlink(candidate)
            if target.startswith('/'):
                done = []
            for piece in _reversed(target.split('/')):
                todo.append(piece)
        return '/' + '/'.join(done)

    job = json.loads(sys.stdin.buffer.read().decode('utf-8'))
    code = job['code']
    allowed = _frozenset(job['allowed'])
    os.chdir(job['scratch'])
    scratch = resolve(job['scratch'])
    max_files = _int(job.get('max_write_files', 64))

    missing = []
    for name in _sorted(allowed):
        try:
            __import__(name)
        except _BaseException:
            missing.append(name)
    read_roots = _tuple(resolve(p) for p in sys.path if p) + (scratch,)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    allowed_text = ', '.join(_sorted(allowed))
    state = {'guest': False, 'writes': 0}

    def under(path, roots):
        if path is None:
            return False
        for root in roots:
            if path == root or path.startswith(root + '/'):
                return True
        return False

    def violation(what):
        try:
            flush()
            report({'event': 'violation', 'what': what})
        finally:
            _exit(0)

    def check_open(path, mode, flags):
        if _isinstance(path, _int):
            fd = _exact_int(path)
            if fd not in (0, 1, 2):
                violation('opening file descriptor %d' % fd)
            return
        name = text(path)
        if name is None:
            violation('opening a path-like object')
        real = resolve(name)
        writing = _isinstance(flags, _int) and (_exact_int(flags) & write_flags) != 0
        if not writing and _isinstance(mode, _str):
            for c in _exact_str(mode):
                if c in 'wax+':
                    writing = True
        if writing:
            if not under(real, (scratch,)):
                violation('writing %s (only %s is writable)' % (real or name, scratch))
            state['writes'] += 1
            if state['writes'] > max_files:
                violation('opening more than %d files for writing' % max_files)
        elif not under(real, read_roots):
            violation('reading %s' % (real or name))

    quiet = _frozenset(('exec', 'compile', 'builtins.id', 'builtins.input',
                        'builtins.input/result', 'array.__new__', 'function.__new__',
                        'time.sleep', 'sys.excepthook', 'sys.unraisablehook',
                        'object.__setattr__', 'object.__delattr__',
                        'cpython._PySys_ClearAuditHooks', 'cpython.PyInterpreterState_Clear'))

    def hook(event, args):
        event = text(event)
        if event in quiet:
            return
        if event == 'open':
            check_open(args[0], args[1], args[2])
        elif event == 'import':
            name = text(args[0]) if args else None
            if name is None:
                violation('import of a non-string name')
            if state['guest'] and name.partition('.')[0] not in allowed:
                violation('import of %r (allowed: %s)' % (name, allowed_text))
            origin = args[1] if _len(args) > 1 else None
            if origin is not None and not under(resolve(text(origin) or '?'), read_roots):
                violation('loading module code from %r' % (origin,))
        elif event == 'os.listdir' or event == 'os.scandir':
            path = text(args[0]) if args and args[0] is not None else '.'
            if path is None or not under(resolve(path), read_roots):
                violation('listing %r' % (args[0] if args else None,))
        elif event == 'object.__getattr__':
            # Frames and code objects: the ways to the bootstrap's state and to hand-made bytecode.
            if state['guest']:
                raise AttributeError('%s is not available in the sandbox' % (text(args[1]),))
        elif event == 'sys._getframe':
            if state['guest']:
                raise ValueError('frames are not available in the sandbox')
        elif event is not None and event.startswith('marshal.') and not state['guest']:
            return
        else:
            violation(event)

    def gate(name, globals=None, locals=None, fromlist=(), level=0):
        exact = text(name)
        if level or exact is None:
            violation('relative import' if level else 'import of a non-string name')
        if exact.partition('.')[0] not in allowed:
            violation('import of %r (allowed: %s)' % (exact, allowed_text))
        return original_import(exact, globals, locals, fromlist, level)

    class Exit:
        def __repr__(self):
            return 'Use exit() to exit'
        def __call__(self, code=None):
            raise _SystemExit(code)

    def json_value(value, depth=0):
        if value is None or _isinstance(value, _bool):
            return value
        if _isinstance(value, _int):
            value = _exact_int(value)
            if -(2 ** 53) <= value <= 2 ** 53:
                return value
            try:
                return json_value(_float(value), depth)
            except OverflowError:
                return {'__repr__': _repr(value)[:200]}
        if _isinstance(value, _float):
            value = _float.__float__(value)
            if value != value:
                return {'__float__': 'nan'}
            if value == _float('inf') or value == _float('-inf'):
                return {'__float__': 'inf' if value > 0 else '-inf'}
            return value
        if _isinstance(value, _str):
            return _exact_str(value)[:10000]
        if depth >= 8:
            return {'__repr__': '...'}
        if _isinstance(value, (_list, _tuple)):
            return [json_value(v, depth + 1) for v in _list(value)[:1000]]
        if _isinstance(value, (_set, _frozenset)):
            return [json_value(v, depth + 1) for v in _list(value)[:1000]]
        if _isinstance(value, _dict):
            out = {}
            for k in _list(value)[:1000]:
                if _isinstance(k, (_str, _int, _float, _bool)):
                    out[_str(k)] = json_value(value[k], depth + 1)
            return out
        return {'__repr__': _repr(value)[:200]}

    try:
        compiled = _compile(code, '<program>', 'exec')
    except (SyntaxError, ValueError) as err:
        report({'event': 'syntax_error', 'message': _str(_getattr(err, 'msg', err)),
                'line': _getattr(err, 'lineno', None), 'offset': _getattr(err, 'offset', None),
                'text': (_getattr(err, 'text', None) or '')[:200]})
        _exit(0)
    linecache.cache['<program>'] = (_len(code), None, code.splitlines(True), '<program>')
    calls = []
    for i, test in _enumerate(job.get('tests', [])):
        try:
            calls.append(_compile(test, '<test %d>' % i, 'eval'))
        except (SyntaxError, ValueError) as err:
            calls.append(err)
    report({'event': 'ready', 'missing_modules': missing})

    original_import = builtins.__import__
    builtins.exit = builtins.quit = Exit()
    namespace = {'__name__': '__main__', '__builtins__': builtins}
    sys.addaudithook(hook)
    builtins.__import__ = gate
    state['guest'] = True
    try:
        _exec(compiled, namespace)
    except _SystemExit as err:
        status = err.code
        if status is not None and status != 0:
            flush()
            report({'event': 'exit', 'code': _exact_int(status) if _isinstance(status, _int) else 1,
                    'message': '' if _isinstance(status, _int) else _str(status)[:500]})
            _exit(0)
    except _BaseException as err:
        message = _str(err)[:2000]
        kind = _type(err).__name__
        tb = err.__traceback__
        state['guest'] = False
        builtins.__import__ = original_import
        frames = [f for f in traceback.extract_tb(tb) if f.filename == '<program>']
        stack = ''.join(traceback.format_list(frames[-5:]))[-3000:]
        flush()
        report({'event': 'exception', 'type': kind, 'message': message, 'traceback': stack})
        _exit(0)
    for i, call in _enumerate(calls):
        if _isinstance(call, _BaseException):
            report({'event': 'test', 'index': i, 'ok': False,
                    'error': 'the test call does not parse: %s' % (call,)})
            continue
        try:
            value = _eval(call, namespace)
            report({'event': 'test', 'index': i, 'ok': True, 'value': json_value(value)})
        except _SystemExit:
            report({'event': 'test', 'index': i, 'ok': False, 'error': 'SystemExit'})
        except _BaseException as err:
            report({'event': 'test', 'index': i, 'ok': False,
                    'error': ('%s: %s' % (_type(err).__name__, err))[:500]})
    values = {}
    for name in job.get('names', []):
        if name in namespace:
            values[name] = json_value(namespace[name])
    flush()
    report({'event': 'done', 'values': values})
    _exit(0)

_bootstrap()
`;
