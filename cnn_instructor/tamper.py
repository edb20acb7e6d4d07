"""Lines of a submitted notebook that may tamper with its grading, for an instructor to read: attributes
of imported modules or a model's methods assigned, setattr/delattr, check functions and imported names
redefined, internals touched, processes started, magics run, cells that do not parse. ``findings`` reads
the code cells nbgrader does not restore (IPython's syntax made Python); ``cnn_instructor.tamper_report``
keeps a CSV of them. Run ``findings`` after nbgrader's ``OverwriteCells`` (it restores locked cells and
drops unknown grade ids)."""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass
import re

from IPython.core.inputtransformer2 import TransformerManager
from nbformat import NotebookNode

INTERNALS, PROCESS = "touches Python's or IPython's internals: ", "starts a process or a thread: "
METHODS = frozenset("predict evaluate fit __call__ call save get_weights".split())
INTERNAL_MODULES = frozenset("IPython ipykernel builtins importlib ctypes gc inspect sys".split())
INTERNAL_NAMES = frozenset("__builtins__ __import__ exec eval compile globals vars get_ipython".split())
INTERNAL_NAMES |= {"_ih", "_oh", "In", "Out", "_i", "_ii", "_iii"}  # IPython's history
SYS = frozenset(f"sys.{n}" for n in "modules settrace setprofile excepthook displayhook _getframe".split())
DUNDERS = frozenset("__globals__ __code__ __dict__ __subclasses__ __class__ __bases__ __mro__".split())
DUNDERS |= {"__builtins__", "__closure__", "__defaults__", "__kwdefaults__", "__func__", "__setattr__"}
PROCESS_MODULES = r"(subprocess|multiprocessing|threading|_thread|concurrent|pty)\b"  # and os's own calls:
PROCESSES = re.compile(PROCESS_MODULES + r"|os\.(system|popen|fork|kill|exec|spawn|posix_spawn|_exit)")
FILES = re.compile(r"shutil\b|os\.(symlink|link|rename|replace|remove|unlink|chmod|mkfifo|mknod|chdir)\b")
PATH_TRICKS = frozenset("symlink_to hardlink_to link_to unlink rmdir chmod lchmod".split())  # pathlib's
MARKERS = frozenset(f"### {e} {w}" for e in ("BEGIN", "END") for w in ("SOLUTION", "HIDDEN TESTS"))
COPIED = "holds the course's solution markers: a copy of its source notebook"  # never in a release
GRADING_FOLDER = re.compile(r"CNN_MNIST_GRADED|graded_objects")  # where graded cells save for the judge
SHELL_MAGICS = frozenset("bash sh script system sx perl ruby pypy python python2 python3 pip conda".split())
CHAINS = (ast.Attribute, ast.Subscript, ast.Call)  # what stands between a name and what is assigned
_IPYTHON = TransformerManager()


@dataclass(frozen=True)
class Finding:
    """A line to read: its cell and its line in the cell (from 1), what it does, the line, stripped."""

    cell: int
    line: int
    what: str
    code: str


def _parse(source: str) -> ast.Module:
    """The syntax tree of a cell's source, IPython's syntax made Python (a SyntaxError if none)."""
    with contextlib.suppress(Exception):  # if IPython cannot read it, Python's parser says why
        source = _IPYTHON.transform_cell(source)
    return ast.parse(source)


def _chain(node: ast.AST, through: tuple[type, ...] = (ast.Attribute,)) -> list[str]:
    """``["np", "random", "seed"]`` for np.random.seed, [] if not names and dots (CHAINS: x[0].f().y too)."""
    parts = []
    while isinstance(node, through):
        parts.append(node.attr if isinstance(node, ast.Attribute) else "")
        node = node.func if isinstance(node, ast.Call) else node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def _bound(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str, str]]:
    """Per name an import binds: that name, the dotted name it stands for, the statement."""
    if isinstance(node, ast.Import):
        ts = [a.asname or a.name.partition(".")[0] for a in node.names]  # import a.b binds a
        return [(ts[i], a.asname and a.name or ts[i], f"import {a.name}") for i, a in enumerate(node.names)]
    module = "." * node.level + (node.module or "")
    return [(a.asname or a.name, f"{module}.{a.name}", f"from {module} import {a.name}") for a in node.names]


class _Scan:
    """A notebook's imports (from all its cells), then the findings of its cells, one at a time."""

    def __init__(self, trees: list[ast.Module]) -> None:
        nodes = [node for tree in trees for node in ast.walk(tree)]
        bound = [b for node in nodes if isinstance(node, ast.Import | ast.ImportFrom) for b in _bound(node)]
        self.modules = {name: dotted for name, dotted, _ in bound}
        # what ``from cnn_helpers import check_x`` binds: the names the graded cells call
        self.checks = {n for n, d, _ in bound if d == f"cnn_helpers.{n}" and n.startswith("check_")}

    def cell(self, tree: ast.Module, lines: list[str]) -> set[tuple[int, str]]:
        """The (line, what) pairs of one cell's tree; ``lines``: the cell's source lines."""
        found, skip = set(), set()  # skip: nodes read as part of an outer one (ast.walk: outer first)
        for node in ast.walk(tree):
            whats = []
            if isinstance(node, ast.Import | ast.ImportFrom):
                whats = [what for bound in _bound(node) for what in self.imports(*bound)]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                whats = self.rebinds(node.name)
            elif isinstance(node, ast.Name) and id(node) not in skip:
                whats = self.names(node.id) + [f"uses {node.id}"] * (node.id in ("setattr", "delattr"))
                whats += self.rebinds(node.id, node.ctx) if not isinstance(node.ctx, ast.Load) else []
            elif isinstance(node, ast.Attribute) and id(node) not in skip:
                whats = self.attribute(node, skip)
            elif isinstance(node, ast.Call):
                whats = self.call(node, skip, lines[node.lineno - 1] if node.lineno <= len(lines) else "")
            elif isinstance(node, ast.Constant) and GRADING_FOLDER.search(str(node.value)):
                whats = [f"names grading's folder: {GRADING_FOLDER.search(str(node.value))[0]}"]
            found.update((node.lineno, what) for what in whats)
        return found

    def rebinds(self, name: str, ctx: ast.AST | None = None) -> list[str]:
        """What binding ``name`` (``ctx`` None: by def, class or import) does, if it replaces what grades."""
        if kind := {"check_": "check", "grade_": "grading"}.get(name[:6]):
            return [f"{'deletes' if isinstance(ctx, ast.Del) else 'redefines'} the {kind} function {name}"]
        if name in METHODS and ctx is None:  # def evaluate(...): in a class Sure(keras.Sequential), say
            return [f"defines {name}, a model's method"]
        return [f"rebinds {name}, a name bound by an import"] if name in self.modules else []

    def imports(self, name: str, dotted: str, statement: str) -> list[str]:
        """One name an import binds: internals or processes imported, a check function replaced."""
        top = dotted.partition(".")[0]
        kind = INTERNALS if top in INTERNAL_MODULES else PROCESS if PROCESSES.fullmatch(top) else ""
        kind = kind or "moves, links or removes files: " * (top == "shutil")
        found = [kind + statement] * bool(kind)
        if top != "cnn_helpers":
            return found + self.rebinds(name) * name.startswith(("check_", "grade_"))
        replaced = name in self.checks and not dotted.endswith(f".{name}")  # check_y as check_x
        return found + [f"redefines the check function {name} ({statement} as {name})"] * replaced

    def names(self, name: str, dotted: str = "") -> list[str]:
        """Internals or processes a name, or a chain of names (``dotted``, resolved), reaches."""
        if name in INTERNAL_NAMES:
            return [INTERNALS + name]
        dotted = dotted or self.modules.get(name, "")
        if internal := [part for part in SYS if f"{dotted}.".startswith(f"{part}.")]:
            return [INTERNALS + internal[0]]
        kinds = ((PROCESSES, PROCESS), (FILES, "moves, links or removes files: "))
        return [kind + dotted for pattern, kind in kinds if pattern.match(dotted)]

    def attribute(self, node: ast.Attribute, skip: set[int]) -> list[str]:
        """A chain of attributes: internals it reaches, dunders it reads, what assigning to it does."""
        chain, dotted = _chain(node), ""
        if chain:  # its inner names and attributes are read here, as a whole
            skip.update(id(inner) for inner in ast.walk(node))
            dotted = ".".join([self.modules[chain[0]], *chain[1:]]) if chain[0] in self.modules else ""
        found = self.names(chain[0], dotted) if chain else []
        found += [INTERNALS + a for a in dict.fromkeys(chain[1:] or [node.attr]) if a in DUNDERS]
        found += [f"moves, links or removes files: .{node.attr}"] * (node.attr in PATH_TRICKS and not chain)
        if isinstance(node.ctx, ast.Load):
            return found
        assigns, replaces = ("deletes",) * 2 if isinstance(node.ctx, ast.Del) else ("assigns to", "replaces")
        if (_chain(node, CHAINS) or [""])[0] in self.modules:
            return [*found, f"{assigns} {dotted or ast.unparse(node)} (an attribute of an imported module)"]
        return found + [f"{replaces} the model's method {node.attr}"] * (node.attr in METHODS)

    def call(self, node: ast.Call, skip: set[int], written: str) -> list[str]:
        """A magic or a shell command (``written``: the line as written), setattr, delattr, getattr."""
        func, args = node.func, node.args
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else "" for a in args]
        magic = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and texts
        if magic and _chain(func.value.func) == ["get_ipython"] and "get_ipython" not in written:
            skip.add(id(func.value.func))
            if func.attr in ("system", "getoutput"):
                return [PROCESS + "a shell command (!)"]
            magic = ("%%" if func.attr == "run_cell_magic" else "%") + texts[0]
            kind = PROCESS if texts[0] in SHELL_MAGICS else "runs "
            return [f"{kind}the magic {magic}"] * (texts[0] != "matplotlib")  # %matplotlib only draws
        if isinstance(func, ast.Name) and func.id in ("setattr", "delattr"):
            skip.add(id(func))
            on = f" on {ast.unparse(args[0])}" if args else ""
            imported = bool(args) and (_chain(args[0], CHAINS) or [""])[0] in self.modules
            return [f"calls {func.id}{on}" + " (an imported module)" * imported]
        if isinstance(func, ast.Name) and func.id == "getattr":  # getattr(f, "__globals__")
            return [INTERNALS + text for text in texts[1:2] if text in DUNDERS]
        return []


def _restored(cell: NotebookNode, grade_ids: set[str] | None) -> bool:
    """Whether nbgrader puts the course's source back in ``cell``: locked, with a grade id it knows."""
    meta = cell.get("metadata", {}).get("nbgrader")
    grade_id = meta.get("grade_id") if isinstance(meta, dict) and meta.get("locked") is True else None
    return isinstance(grade_id, str) and (grade_ids is None or grade_id in grade_ids)


def findings(notebook: NotebookNode, *, course: NotebookNode | None = None) -> list[Finding]:
    """The findings of the cells nbgrader does not restore, in the order of their cells and lines.
    ``course`` (its source notebook or release): then a locked cell is restored only with a grade id
    of a locked cell of the course, and a cell whose code is the course's, unchanged, is not read."""
    for name, nb in (("notebook", notebook), ("course", course)):
        if not isinstance(nb, NotebookNode) and (nb is not None or name == "notebook"):
            raise TypeError(f"{name} must be an nbformat NotebookNode, not {type(nb).__name__}")
        if nb is not None and not all(isinstance(c.get("source"), str) for c in nb.get("cells") or [{}]):
            raise ValueError(f"{name} has no cells with their sources: read it with nbformat.read")
    grade_ids = {c.metadata.nbgrader.grade_id for c in course.cells if _restored(c, None)} if course else None
    course_code = {c.source.strip() for c in course.cells if c.cell_type == "code"} if course else set()
    trees: dict[int, ast.Module | set[tuple[int, str]]] = {}  # a cell that does not parse: its finding
    for index, cell in enumerate(notebook.cells, 1):
        try:
            trees |= {index: _parse(cell.source)} if cell.get("cell_type") == "code" else {}
        except (SyntaxError, ValueError, RecursionError) as error:  # ValueError: a null byte
            why = f"{type(error).__name__}: {getattr(error, 'msg', error)}"
            trees[index] = {(getattr(error, "lineno", None) or 1, f"cannot be read: {why}")}
    scan, found = _Scan([tree for tree in trees.values() if isinstance(tree, ast.Module)]), []
    for index, tree in trees.items():
        cell, lines = notebook.cells[index - 1], notebook.cells[index - 1].source.splitlines()
        copied = {(n, COPIED) for n, line in enumerate(lines, 1) if line.strip() in MARKERS}
        if _restored(cell, grade_ids) or cell.source.strip() in course_code and not copied:
            continue
        pairs = (tree if isinstance(tree, set) else scan.cell(tree, lines)) | copied
        found += [Finding(index, n, what, (lines[n - 1 : n] or [""])[0].strip()) for n, what in sorted(pairs)]
    return found
