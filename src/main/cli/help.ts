// Usage texts of the CLI.
export const MAIN_HELP = `Usage: vivit-monitor <command> [options]

Train a neural network locally and watch its training and curvature live.

Commands:
  train <definition>     train headless, writing a session log
  serve [<definition>]   serve the monitor to a browser on 127.0.0.1
  curvature <case>       ViViT curvature quantities of a saved snapshot (case file)

Options:
  -h, --help             show help (also: vivit-monitor <command> --help)
  -v, --version          show the version

Without a command, \`npm start\` opens the desktop app.`;

export const TRAIN_HELP = `Usage: vivit-monitor train <definition> [--log <file>] [--steps <N>]

Validates the run definition (a YAML or JSON file), trains it in a worker thread and writes
every record to a session log (JSON Lines) as it goes. Shows a progress bar on a terminal and
plain lines otherwise. Ctrl-C stops the run cleanly; the log keeps every step so far.

Options:
  --log <file>     write the session log here (must not exist yet); default: a new file in
                   $VIVIT_MONITOR_HOME/sessions (~/.vivit-monitor/sessions)
  --steps <N>      stop after N steps (overrides the definition's steps/epochs)
  -h, --help       show this help

Exit codes: 0 finished, 1 the run failed, 2 bad arguments or an invalid definition,
130 stopped with Ctrl-C.`;

export const SERVE_HELP = `Usage: vivit-monitor serve [<definition>] [--port <P>]

Serves the monitor on http://127.0.0.1 (loopback only) for a browser, with the definition
loaded (default: the bundled MNIST MLP). Prints the URL, which holds a per-launch token; only
a browser given that URL can see or control the session. Ctrl-C stops the server.

Options:
  --port <P>       listen on port P (default: a free port)
  -h, --help       show this help`;

export const CURVATURE_HELP = `Usage: vivit-monitor curvature <case.json> [--out <result.json>]

Computes the ViViT curvature quantities of a frozen snapshot — a sequential network, its
weights, one batch and a loss, in PyTorch layouts — given as a case file (the interop format
of docs/curvature-case.md): the nontrivial eigenvalues of the GGN per parameter
group, the leading eigenvectors, per-sample directional gradients (gammas) and curvatures
(lambdas), and the damped Newton step. Writes the result as JSON; prints a summary on stderr.

Options:
  --out <file>     write the result here (replacing the file if it exists); default: stdout
  -h, --help       show this help

Exit codes: 0 done, 1 the computation failed, 2 bad arguments, an unreadable file or an
invalid case (each problem is named with its field, e.g. params[2].shape).`;
