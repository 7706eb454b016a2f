"""What a server sends unasked: durian-server hands each chatroom message to
the room's other members; swarm's Lua module (durian.lua's on_push) takes
them between and during its commands. The server's own count of messages
queued to members is the oracle, and no reply is ever mixed up with one."""

from conftest import PROTOCOLS, error_counts, final_report, report_rows, wait_until

CHAT = """protocol: durian
actions:
  - command: enter_chatroom
    args: {rid: 7}
    sleep_between_rounds: 0
    sleep_after_action: 200ms
  - command: send_message
    args: {text: "hello from swarm"}
    rounds: 10
    sleep_between_rounds: [5ms, 20ms]
    sleep_after_action: 1h
"""


def received_total(run):
    with run.console() as console:
        console.greeting()
        lines = [l for l in console.command("stat").splitlines() if l.startswith("received")]
    return int(lines[0].split("total ")[1].split()[0]) if lines else 0


def test_every_chatroom_message_reaches_the_other_members(tmp_path, durian, swarm):
    server = durian()
    plan = tmp_path / "chat.yml"
    plan.write_text(CHAT)
    connections, messages = 20, 10
    run = swarm(server.address, plan, "--connections", connections, "--interval", "1h",
                protocol_dir=PROTOCOLS)
    # Every connection entered and sent its messages...
    wait_until(server.stats, 20, "every message to be sent",
               check=lambda s: s.requests == connections * (1 + messages))
    pushed = server.stats().pushed
    assert pushed > 0
    # ... and every message the server queued reached swarm.
    wait_until(lambda: received_total(run), 20, "swarm to receive every pushed message",
               check=lambda n: n == pushed)
    assert server.stats().dropped == 0
    assert run.stop() == 0
    final = final_report(run.process.stdout())
    assert f"messages {pushed} " in final, final
    rows = report_rows(final)
    assert rows["send_message"]["replies"] == connections * messages, final
    assert rows["enter_chatroom"]["replies"] == connections, final
    assert not {k: v for k, v in error_counts(final).items() if v}, final
