"""deploy/k8s, offline: `kubectl kustomize` renders it, every object is
valid against the Kubernetes schemas (tests/k8s/validate.js: types,
required fields, enums, unknown fields), and the pieces fit: the agents are
an Indexed Job behind a headless Service that the controller's --agents
names, K agrees everywhere, Prometheus finds every agent, and the plan the
ConfigMap ships is one swarm runs."""

import json
import re
import shutil
import subprocess

import pytest

from conftest import SOURCE_DIR, free_port, run_to_exit

DEPLOY = SOURCE_DIR / "deploy" / "k8s"
VALIDATOR = SOURCE_DIR / "tests" / "k8s" / "validate.js"


def kubectl():
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail("kubectl is missing (apt-get install kubernetes-client; scripts/install-deps.sh)")
    return binary


def validate(yaml_text):
    """(exit status, objects as JSON or None, problems) from tests/k8s/validate.js."""
    if not (VALIDATOR.parent / "node_modules" / "kubernetes-models").is_dir():
        # install-deps.sh --tests installs it; it warns when the npm registry cannot be reached.
        pytest.skip("tests/k8s/node_modules is missing (scripts/install-deps.sh --tests installs "
                    "kubernetes-models; it said why it could not)")
    done = subprocess.run(["node", str(VALIDATOR)], input=yaml_text, capture_output=True, text=True,
                          timeout=60, cwd=VALIDATOR.parent)
    return done.returncode, (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr


@pytest.fixture(scope="module")
def rendered():
    done = subprocess.run([kubectl(), "kustomize", str(DEPLOY)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def objects(rendered):
    status, objects, problems = validate(rendered)
    assert status == 0, problems
    return objects


def one(objects, kind, name_prefix):
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].startswith(name_prefix)]
    assert len(found) == 1, f"{kind} {name_prefix}*: {[o['metadata']['name'] for o in found]}"
    return found[0]


def test_the_rendered_objects_are_valid_and_the_validator_can_tell(rendered, objects):
    assert sorted(o["kind"] for o in objects) == ["ConfigMap", "ConfigMap", "Job", "Job", "Service", "Service"]
    broken = (rendered.replace("completionMode: Indexed", "completionMode: Indexd")
              .replace("parallelism:", "paralelism:"))
    status, _, problems = validate(broken)
    assert status == 1
    assert "/spec/completionMode: enum" in problems, problems
    assert 'unknown field "paralelism"' in problems, problems


def test_agents_are_an_indexed_job_behind_the_headless_service_the_controller_names(objects):
    settings = one(objects, "ConfigMap", "swarm-settings")["data"]
    agents = one(objects, "Job", "swarm-agents")
    spec = agents["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == int(settings["AGENTS"])
    pod = spec["template"]
    labels = pod["metadata"]["labels"]
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8412"
    assert annotations["prometheus.io/path"] == "/metrics"
    sysctls = {s["name"]: s["value"] for s in pod["spec"]["securityContext"]["sysctls"]}
    assert "net.ipv4.ip_local_port_range" in sysctls
    assert any("fs/nr_open" in " ".join(c["command"]) for c in pod["spec"]["initContainers"])
    agent = pod["spec"]["containers"][0]
    script = " ".join(agent["command"])
    assert "JOB_COMPLETION_INDEX" in script and "--source" in script and "--console-log" in script
    assert "--http 0.0.0.0:8412" in script and "ulimit -n" in script

    service = one(objects, "Service", "swarm-agents")
    assert service["spec"]["clusterIP"] == "None"  # headless: DNS answers every pod
    assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())
    assert 8412 in [p["port"] for p in service["spec"]["ports"]]

    control = one(objects, "Job", "swarm-control")
    container = control["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["swarm", "control"]
    args = container["args"]
    assert args[args.index("--agents") + 1] == f"dns:{service['metadata']['name']}:8412"
    assert args[args.index("--expect-agents") + 1] == "$(AGENTS)"
    assert args[args.index("--connections") + 1] == "$(CONNECTIONS)"
    settings_name = one(objects, "ConfigMap", "swarm-settings")["metadata"]["name"]
    assert container["envFrom"][0]["configMapRef"]["name"] == settings_name
    # One token for the agents and the controller.
    token = {e["name"]: e for e in container["env"]}["SWARM_CONSOLE_TOKEN"]["valueFrom"]["secretKeyRef"]
    agent_token = {e["name"]: e for e in agent["env"]}["SWARM_CONSOLE_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == agent_token


def test_the_plan_configmap_is_what_every_agent_reads(objects, redis_server, swarm_bin):
    plan = one(objects, "ConfigMap", "swarm-plan")
    assert sorted(plan["data"]) == ["plan.yml"]
    volumes = {v["name"]: v for v in one(objects, "Job", "swarm-agents")["spec"]["template"]["spec"]["volumes"]}
    assert volumes["plan"]["configMap"]["name"] == plan["metadata"]["name"]
    # The shipped plan runs a built-in protocol: no module file to copy and drift.
    assert re.search(r"^protocol: redis$", plan["data"]["plan.yml"], re.M), plan["data"]["plan.yml"]
    # And swarm runs the plan, from the directory the agents get.
    run = run_to_exit([swarm_bin, "--server", redis_server.address, "--script", DEPLOY / "plan" / "plan.yml",
                       "--protocol-dir", DEPLOY / "plan", "--connections", 5, "--duration", "1s",
                       "--listen", f"127.0.0.1:{free_port()}"], timeout=30)
    assert run.status == 0, run.stderr
    assert re.search(r"established 5 ", run.stdout), run.stdout
    assert "not the built-in" not in run.stderr, run.stderr
    assert "script_error" not in run.stdout, run.stdout


def test_the_image_is_debian_12_with_the_projects_package():
    recipe = (SOURCE_DIR / "deploy" / "Containerfile").read_text()
    lines = [l.strip() for l in recipe.splitlines() if l.strip() and not l.strip().startswith("#")]
    assert lines[0] == "FROM debian:12-slim"
    assert any(l.startswith("COPY build-package/swarm_") and l.endswith(".deb /tmp/") for l in lines)
    assert "apt-get install -y --no-install-recommends /tmp/swarm_*.deb" in recipe
    assert any(l.startswith("USER ") and not l.startswith("USER 0") for l in lines)
