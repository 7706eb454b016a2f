"""swarm as a user installs it: `cmake --install` into a temporary prefix, then
the installed tool, its version, manual pages and bash completion, native
modules built outside the tree against the installed API both ways the README
shows (pkg-config, and CMake's find_package), run against the installed
durian-server with the installed example plan, and the .deb CPack makes."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SOURCE_DIR, DurianServer, Swarm, wait_until

BUILD_DIR = Path(os.environ.get("SWARM_BUILD_DIR") or SOURCE_DIR / "build")


def project_version():
    if os.environ.get("SWARM_VERSION"):
        return os.environ["SWARM_VERSION"]
    match = re.search(r"project\(swarm VERSION (\S+)", (SOURCE_DIR / "CMakeLists.txt").read_text())
    return match.group(1)


VERSION = project_version()

# The README's four-line CMake project for a module (test_cmake_... checks
# that the README shows exactly these lines).
CMAKE_PROJECT = """\
cmake_minimum_required(VERSION 3.25)
project(my_module LANGUAGES CXX)
find_package(swarm REQUIRED)
swarm_add_module(my my.cpp)
"""

# A module that claims another interface version, written by hand.
OTHER_ABI_MODULE = """\
#include <swarm/module.hpp>
extern "C" const swarm::ModuleDefinition* swarm_module() {
  static const swarm::ModuleDefinition definition{999, "9.9.9", nullptr, 0, nullptr};
  return &definition;
}
"""


def run(args, env=None, cwd=None, timeout=300):
    """Runs a command to its end; fails the test with its output unless it exits 0."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}\n" \
                                 f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    return done.stdout


def environment(prefix, **extra):
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"), LC_ALL="C.UTF-8")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def prefix(tmp_path_factory):
    """The build installed as a user installs it."""
    if not (BUILD_DIR / "cmake_install.cmake").is_file():
        pytest.fail(f"SWARM_BUILD_DIR: no build at {BUILD_DIR}")
    path = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", BUILD_DIR, "--prefix", path])
    return path


def help_flags(binary):
    """Every flag `binary --help` lists (-x and --xyz)."""
    flags = []
    for line in run([binary, "--help"]).splitlines():
        match = re.match(r"^  (-\S+)", line)
        if match:
            flags += match.group(1).split(",")
    assert "--help" in flags and "--version" in flags, flags
    return flags


def test_install_puts_every_part_in_place(prefix):
    expected = [
        "bin/swarm", "bin/durian-server",
        "include/swarm/module.hpp", "include/swarm/client.hpp", "include/swarm/task.hpp",
        "include/swarm/reply_parser.hpp", "include/swarm/reply_parsers.hpp",
        "include/swarm/resp_parser.hpp", "include/swarm/version.hpp",
        "lib/pkgconfig/swarm.pc", "lib/cmake/swarm/swarmConfig.cmake",
        "lib/cmake/swarm/swarmConfigVersion.cmake", "lib/cmake/swarm/swarmTargets.cmake",
        "lib/swarm/modules/durian.so", "lib/swarm/modules/redis_native.so",
        "share/swarm/examples/scripts/example.yml", "share/swarm/examples/protocols/durian.lua",
        "share/swarm/examples/protocols/redis.lua", "share/swarm/examples/protocols/README.md",
        "share/swarm/examples/native/durian.cpp", "share/swarm/examples/native/redis_native.cpp",
        "share/swarm/examples/native/CMakeLists.txt",
        "share/man/man1/swarm.1.gz", "share/man/man1/durian-server.1.gz",
        "share/man/man1/swarm-control.1.gz",
        "share/bash-completion/completions/swarm",
    ]
    missing = [path for path in expected if not (prefix / path).is_file()]
    assert not missing, f"not installed: {missing}"
    headers = {p.name for p in (SOURCE_DIR / "include" / "swarm").glob("*.hpp")}
    installed = {p.name for p in (prefix / "include" / "swarm").glob("*.hpp")}
    assert headers <= installed, f"public headers not installed: {headers - installed}"
    assert f"prefix={prefix}" in (prefix / "lib/pkgconfig/swarm.pc").read_text()


def test_every_part_says_the_same_version(prefix):
    env = environment(prefix)
    assert run([prefix / "bin/swarm", "--version"]).strip() == f"swarm {VERSION}"
    assert run([prefix / "bin/durian-server", "--version"]).strip() == f"durian-server {VERSION}"
    assert run(["pkg-config", "--modversion", "swarm"], env=env).strip() == VERSION
    assert f'#define SWARM_VERSION "{VERSION}"' in (prefix / "include/swarm/version.hpp").read_text()
    assert f'PACKAGE_VERSION "{VERSION}"' in (prefix / "lib/cmake/swarm/swarmConfigVersion.cmake").read_text()
    page = run(["man", "-l", prefix / "share/man/man1/swarm.1.gz"], env=env)
    assert f"swarm {VERSION}" in page.splitlines()[-1], page.splitlines()[-1]


@pytest.mark.parametrize("name", ["swarm", "durian-server"])
def test_man_page_documents_every_flag(prefix, name):
    env = environment(prefix, MANWIDTH="120")
    done = subprocess.run(["man", "--warnings", "-l", str(prefix / f"share/man/man1/{name}.1.gz")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr
    page = done.stdout
    for flag in help_flags(prefix / "bin" / name):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", page), f"man {name} does not document {flag}"
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES"):
        assert re.search(rf"^{section}$", page, re.M), f"man {name} has no {section} section"


def test_swarm_control_man_page_documents_every_flag_and_console_word(prefix):
    env = environment(prefix, MANWIDTH="120")
    done = subprocess.run(["man", "--warnings", "-l", str(prefix / "share/man/man1/swarm-control.1.gz")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr
    page = done.stdout
    flags = []
    for line in run([prefix / "bin/swarm", "control", "--help"]).splitlines():
        match = re.match(r"^  (-\S+)", line)
        if match:
            flags += match.group(1).split(",")
    assert "--agents" in flags and "--expect-agents" in flags, flags
    for flag in flags:
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", page), f"man swarm-control does not document {flag}"
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CONSOLE", "EXIT STATUS", "EXAMPLES"):
        assert re.search(rf"^{section}$", page, re.M), f"man swarm-control has no {section} section"
    for word in ("incr", "decr", "rate", "rebalance", "stat", "stop"):
        assert re.search(rf"^\s+{word}\b", page, re.M), f"console word {word!r}"
    assert "swarm-control(1)" in run(["man", "-l", prefix / "share/man/man1/swarm.1.gz"], env=env)


def test_swarm_man_page_covers_plan_console_and_modules(prefix):
    page = run(["man", "-l", prefix / "share/man/man1/swarm.1.gz"], env=environment(prefix, MANWIDTH="120"))
    sections = dict(re.findall(r"^([A-Z][A-Z ]+)\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)", page, re.M | re.S))
    for section in ("CONSOLE", "PLAN FORMAT", "PROTOCOL MODULES", "EXIT STATUS", "EXAMPLES"):
        assert section in sections, f"no {section} in {list(sections)}"
    for command in ("incr n", "decr n", "stat", "stop", "quit", "help"):
        assert re.search(rf"^\s+{command}\b", sections["CONSOLE"], re.M), f"console command {command!r}"
    for key in ("protocol:", "actions:", "command:", "args:", "rounds:", "sleep_between_rounds:",
                "sleep_after_action:"):
        assert key in sections["PLAN FORMAT"], key
    for api in ("send_for_reply", "send_noreply", "close_connection", "reply_parser_crlf",
                "SWARM_MODULE", "pkg-config --cflags --libs swarm", "find_package(swarm)"):
        assert api in sections["PROTOCOL MODULES"], api
    for status in ("0", "1", "2"):
        assert re.search(rf"^\s+{status}\s", sections["EXIT STATUS"], re.M), f"exit status {status}"


def test_bash_completion_is_found_and_completes_flags_and_paths(prefix, tmp_path):
    loader = Path("/usr/share/bash-completion/bash_completion")
    if not loader.is_file():
        pytest.fail("bash-completion is not installed (scripts/install-deps.sh --tests installs it)")
    plans = tmp_path / "plans"
    (plans / "modules").mkdir(parents=True)
    for name in ("a.yml", "b.yaml", "notes.txt"):
        (plans / name).write_text("")
    script = f"""
source {loader}
__load_completion swarm || exit 3
complete -p swarm
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _swarm; echo "${{COMPREPLY[*]}}"; }}
complete_words swarm --
complete_words swarm --script {plans}/
complete_words swarm -p {plans}/
complete_words swarm --threads ''
complete_words swarm con
complete_words swarm control --age
"""
    env = environment(prefix, XDG_DATA_DIRS=str(prefix / "share"),
                      PATH=f"{prefix / 'bin'}:{os.environ['PATH']}")
    lines = run(["bash", "-c", script], env=env).splitlines()
    assert lines[0] == "complete -F _swarm swarm", lines
    long_flags = [f for f in help_flags(prefix / "bin/swarm") if f.startswith("--")]
    assert sorted(lines[1].split()) == sorted(long_flags)
    assert sorted(lines[2].split()) == sorted(str(plans / n) for n in ("a.yml", "b.yaml", "modules"))
    assert lines[3].split() == [str(plans / "modules")]
    assert lines[4] == "", "a number flag completes nothing"
    assert lines[5] == "control"
    assert sorted(lines[6].split()) == ["--agent-timeout", "--agent-token-file", "--agents"]


def readme():
    return (SOURCE_DIR / "README.md").read_text()


def run_example(prefix, protocol_dir, processes, connections=10, extra=()):
    """Installed durian-server plus installed swarm with the installed
    example.yml and modules from `protocol_dir`: the server's own counts must
    show every connection and their requests, and swarm must stop cleanly."""
    server = DurianServer(processes, str(prefix / "bin/durian-server"))
    run_ = Swarm(processes, str(prefix / "bin/swarm"), server.address,
                 prefix / "share/swarm/examples/scripts/example.yml", protocol_dir,
                 ["--connections", connections, "--interval", "500ms", *extra])
    run_.wait_console()
    server.wait_connections(connections)
    wait_until(server.stats, 20, f"{connections} heartbeats on durian-server",
               check=lambda stats: stats.requests >= connections)
    assert run_.stop() == 0
    server.wait_connections(0)
    out = run_.process.stdout()
    final = out[out.rfind("final report"):]
    assert f"swarm final report  version {VERSION}\n" in out, out[-2000:]
    assert re.search(r"^errors\s+none$", final, re.M), final
    calls = re.search(r"^\s+heartbeat\s+(\d+)", final, re.M)
    assert calls and int(calls.group(1)) >= connections, final
    return server


def assert_links_nothing_of_swarm(module):
    """The module needs no swarm library: swarm's symbols stay undefined
    until the executable that loads it provides them."""
    needed = re.findall(r"\(NEEDED\).*\[(.*)\]", run(["readelf", "-d", module]))
    assert not [lib for lib in needed if "swarm" in lib], needed
    undefined = run(["nm", "-D", "--undefined-only", "-C", module])
    assert "swarm::detail::frame_allocate" in undefined, undefined


def test_module_built_with_pkg_config_runs_the_example(prefix, processes, tmp_path):
    command = "c++ -std=c++20 -O2 -shared -fPIC my.cpp -o my.so $(pkg-config --cflags --libs swarm)"
    assert command in readme(), "the README shows another pkg-config command"
    modules = tmp_path / "modules"
    modules.mkdir()
    shutil.copy(prefix / "share/swarm/examples/native/durian.cpp", modules / "my.cpp")
    run(["bash", "-c", command], env=environment(prefix), cwd=modules)
    (modules / "my.so").rename(modules / "durian.so")
    (modules / "my.cpp").unlink()
    assert_links_nothing_of_swarm(modules / "durian.so")
    run_example(prefix, modules, processes)


def test_module_built_with_find_package_runs_the_example(prefix, processes, tmp_path):
    assert CMAKE_PROJECT in readme(), "the README shows another CMake project"
    source = tmp_path / "my_module"
    source.mkdir()
    (source / "CMakeLists.txt").write_text(CMAKE_PROJECT)
    shutil.copy(prefix / "share/swarm/examples/native/durian.cpp", source / "my.cpp")
    build = tmp_path / "build"
    run(["cmake", "-S", source, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build])
    assert_links_nothing_of_swarm(build / "my.so")
    modules = tmp_path / "modules"
    modules.mkdir()
    shutil.copy(build / "my.so", modules / "durian.so")  # example.yml says `protocol: durian`
    run_example(prefix, modules, processes)


def test_installed_native_examples_build_against_the_install(prefix, processes, tmp_path):
    build = tmp_path / "examples"
    run(["cmake", "-S", prefix / "share/swarm/examples/native", "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}"])
    run(["cmake", "--build", build])
    assert (build / "redis_native.so").is_file()
    run_example(prefix, build, processes)


def test_installed_built_modules_run_and_the_report_names_the_version(prefix, processes, tmp_path):
    report = tmp_path / "run.json"
    run_example(prefix, prefix / "lib/swarm/modules", processes, extra=["--report", report])
    assert json.loads(report.read_text())["swarm"]["version"] == VERSION


def test_module_for_another_abi_version_is_refused_before_any_connection(prefix, processes, tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "durian.cpp").write_text(OTHER_ABI_MODULE)
    run(["bash", "-c", "c++ -std=c++20 -shared -fPIC durian.cpp -o durian.so $(pkg-config --cflags swarm)"],
        env=environment(prefix), cwd=modules)
    abi = re.search(r"kModuleAbiVersion = (\d+);", (prefix / "include/swarm/module.hpp").read_text()).group(1)
    server = DurianServer(processes, str(prefix / "bin/durian-server"))
    refused = Swarm(processes, str(prefix / "bin/swarm"), server.address,
                    prefix / "share/swarm/examples/scripts/example.yml", modules, ["--connections", 5])
    assert refused.process.wait_exit() == 2
    err = refused.process.stderr()
    assert (f"{modules / 'durian.so'} was built for module ABI version 999 (swarm 9.9.9), "
            f"but this swarm {VERSION} loads module ABI version {abi}") in err, err
    assert server.stats().accepted == 0, "a connection was opened before the module was refused"


def test_deb_package_lists_every_part_and_computed_dependencies(tmp_path):
    if not shutil.which("dpkg-shlibdeps"):
        pytest.fail("dpkg-shlibdeps is missing (dpkg-dev: scripts/install-deps.sh --tests installs it)")
    run(["cpack", "-G", "DEB", "-B", tmp_path, "--config", BUILD_DIR / "CPackConfig.cmake"])
    debs = list(tmp_path.glob("swarm_*.deb"))
    assert len(debs) == 1, list(tmp_path.iterdir())
    deb = debs[0]
    assert deb.name.startswith(f"swarm_{VERSION}_"), deb.name
    depends = run(["dpkg-deb", "-f", deb, "Depends"])
    # Computed by dpkg-shlibdeps from what the binaries link, with versions.
    for library in ("libc6 (>=", "libstdc++6", "libyaml-cpp", "libfmt", "libluajit"):
        assert library in depends, depends
    files = run(["dpkg-deb", "-c", deb])
    for path in ("./usr/bin/swarm", "./usr/bin/durian-server", "./usr/include/swarm/module.hpp",
                 "./usr/lib/pkgconfig/swarm.pc", "./usr/lib/cmake/swarm/swarmConfig.cmake",
                 "./usr/share/man/man1/swarm.1.gz", "./usr/share/man/man1/durian-server.1.gz",
                 "./usr/share/man/man1/swarm-control.1.gz",
                 "./usr/share/bash-completion/completions/swarm",
                 "./usr/share/swarm/examples/scripts/example.yml",
                 "./usr/share/swarm/examples/protocols/durian.lua",
                 "./usr/share/swarm/examples/native/durian.cpp", "./usr/lib/swarm/modules/durian.so"):
        assert re.search(rf" {re.escape(path)}$", files, re.M), f"{path} not in the .deb:\n{files}"
    pc = subprocess.run(f"dpkg-deb --fsys-tarfile {deb} | tar -xO ./usr/lib/pkgconfig/swarm.pc",
                        shell=True, capture_output=True, text=True, check=True).stdout
    assert "prefix=/usr\n" in pc, pc


def test_install_deps_groups_keep_test_packages_out_of_the_demo():
    script = SOURCE_DIR / "scripts/install-deps.sh"

    def listed(*groups):
        return set(run(["bash", script, "--list", *groups]).split())

    build, demo, tests = listed(), listed("--demo"), listed("--tests")
    assert {"cmake", "g++", "libluajit2-5.1-dev", "libyaml-cpp-dev", "libfmt-dev", "libcli11-dev",
            "libasio-dev", "pkg-config"} <= build
    assert build <= demo and build <= tests
    test_only = {"libgtest-dev", "libgmock-dev", "python3-pytest", "redis-server"}
    assert test_only <= tests
    assert not demo & test_only, f"the demo would install test packages: {demo & test_only}"
    assert {"dpkg-dev", "file"} <= listed("--package")
    assert listed("--all") >= demo | tests | listed("--package") | listed("--bench")
