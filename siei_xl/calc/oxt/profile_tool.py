"""Add or remove an extension in a LibreOffice user profile, through LibreOffice itself.

Run by ``siei-xl calc install/uninstall`` with a Python that has LibreOffice's ``uno``
module (LibreOffice's own on Windows and macOS, the system's ``python3-uno`` on Linux)::

    python profile_tool.py add EXTENSION.oxt SOFFICE [PROFILE_DIR]
    python profile_tool.py remove IDENTIFIER SOFFICE [PROFILE_DIR]

It starts a private headless soffice on that profile (created when the folder does not
exist yet; the default profile when none is given), asks its extension manager to add or
remove the extension for the user, and shuts soffice down. ``unopkg`` would refuse to do
this as root; LibreOffice's own extension manager does not. Prints one line; exit code 0
on success, 2 on failure (the line says why).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid

START_TIMEOUT = 90.0


def file_url(path):
    import uno

    return uno.systemPathToFileUrl(os.path.abspath(path))


def connect(pipe, proc):
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                "LibreOffice exited at once: close every LibreOffice window using this "
                "profile, then try again"
            )
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.2)
    raise RuntimeError(f"LibreOffice did not start within {START_TIMEOUT:.0f} s")


def environment():
    """A command environment that approves the installation.

    Adding an extension asks for approval ("... is about to be installed"); with no
    environment, or one that does not answer, the extension manager aborts. The request
    itself is not read: pyuno cannot hand over an exception held in an ``any``.
    """
    import uno
    import unohelper
    from com.sun.star.task import XInteractionHandler
    from com.sun.star.ucb import XCommandEnvironment, XProgressHandler

    approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")

    class Handler(unohelper.Base, XInteractionHandler):
        def handle(self, request):
            for choice in request.getContinuations():
                if choice.queryInterface(approve) is not None:
                    choice.select()
                    return

    class Progress(unohelper.Base, XProgressHandler):
        def push(self, status):
            return None

        def update(self, status):
            return None

        def pop(self):
            return None

    class Environment(unohelper.Base, XCommandEnvironment):
        def getInteractionHandler(self):
            return Handler()

        def getProgressHandler(self):
            return Progress()

    return Environment()


def run(action, target, soffice, profile):
    pipe = f"siei_install_{uuid.uuid4().hex}"
    cmd = [
        soffice,
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    if profile:
        os.makedirs(profile, exist_ok=True)
        cmd.insert(1, f"-env:UserInstallation={file_url(profile)}")
    kwargs = {"start_new_session": True} if os.name != "nt" else {}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    try:
        ctx = connect(pipe, proc)
        manager = ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        if action == "add":
            channel = manager.createAbortChannel()
            package = manager.addExtension(file_url(target), (), "user", channel, environment())
            message = f"installed {package.getDisplayName()} {package.getVersion()}"
        else:
            removed = 0
            for package in manager.getDeployedExtensions("user", None, None):
                if package.getIdentifier().Value == target:
                    manager.removeExtension(target, package.getName(), "user", None, environment())
                    removed += 1
            message = f"removed {target}" if removed else f"{target} was not installed"
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        from com.sun.star.lang import DisposedException

        with contextlib.suppress(DisposedException):  # the bridge may close as soffice quits
            desktop.terminate()
        proc.wait(timeout=60)
        return message
    finally:
        if proc.poll() is None:
            if os.name == "nt":
                proc.kill()
            else:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def cause_text(exc):
    """The message of a UNO exception's Cause (an ``any``), if it carries one."""
    try:
        cause = exc.Cause.value if hasattr(exc.Cause, "value") else exc.Cause
        message = cause.Message.strip()
    except (AttributeError, SystemError):
        return ""
    return f" ({message})" if message else ""


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    action, target, soffice = sys.argv[1:4]
    profile = sys.argv[4] if len(sys.argv) == 5 else None
    try:
        print(run(action, target, soffice, profile))
    except Exception as exc:  # noqa: BLE001  one readable line for the caller, then exit 2
        print(f"{type(exc).__name__}: {exc}" + cause_text(exc))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
