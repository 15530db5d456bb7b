# A real terminal for the tests: tmux, on a private server of its own
# (-L), killed when the sourcing shell exits. (Bash; source it.)
#
#   tmux_open WIDTH [HEIGHT]   a detached session of that size, idle
#   tmux_run [--record FILE] COMMAND
#                              run COMMAND (a bash line) in the pane, its
#                              stdout and stderr the terminal, and wait for
#                              it (60 s at most: a failure). --record keeps
#                              every byte the pane was sent in FILE
#                              (pipe-pane), from before the command starts.
#   tmux_start COMMAND         the same without waiting; tmux_wait waits
#   tmux_screen                what the pane shows and its history, a
#                              wrapped line joined back into one (-J)
#   tmux_rows                  the same, a wrapped line as the rows it took
#   tmux_resize WIDTH          the window takes that width (SIGWINCH)
#   tmux_cells STRING          the cells STRING takes when tmux draws it,
#                              read from tmux's cursor
#
# The pane's environment is the test's at tmux_open (exported variables),
# with LC_ALL=C.UTF-8 so that tmux and the programs agree on UTF-8.

TMUX_BASE=rhizome-test-$$-$RANDOM
TMUX_NAME=$TMUX_BASE-0
TMUX_N=0
_tm() { tmux -L "$TMUX_NAME" -f /dev/null "$@"; }
_tmux_close() { _tm kill-server >/dev/null 2>&1 || true; }

# Each session on a server of its own: a server being killed may still
# hold its socket for a moment, and a client that reaches it then sees
# "server exited unexpectedly".
# _tmux_close added to the shell's EXIT trap, not put in its place (a
# latency proxy's, a server's).
_tmux_trap() {
	local cur
	cur=$(trap -p EXIT)
	case $cur in *_tmux_close*) return ;; esac
	if [ -z "$cur" ]; then
		trap _tmux_close EXIT
		return
	fi
	# trap -p prints: trap -- 'COMMAND' EXIT, quoted for eval
	eval "set -- ${cur#trap -- }"
	trap "_tmux_close; $1" EXIT
}

tmux_open() { # WIDTH [HEIGHT]
	_tmux_close
	TMUX_N=$((TMUX_N + 1))
	TMUX_NAME=$TMUX_BASE-$TMUX_N
	_tmux_trap
	LC_ALL=C.UTF-8 _tm new-session -d -s t -x "$1" -y "${2:-50}" \
		"exec sleep 100000" || return 1
	_tm set-option -g remain-on-exit on >/dev/null
	_tm set-option -g history-limit 10000 >/dev/null
	_tm set-option -g window-size manual >/dev/null
}

# The pane runs `tmux wait-for` first, so recording starts before any
# output; its last act is to signal the channel tmux_wait waits on.
tmux_start() { # [--record FILE] COMMAND
	local record="" go
	if [ "$1" = --record ]; then
		record=$2
		shift 2
	fi
	TMUX_N=$((TMUX_N + 1))
	go=go-$TMUX_N
	TMUX_DONE=done-$TMUX_N
	TMUX_PIPED=""
	# the history cleared from inside, after the screen is: a clear
	# from here could come before the pane's own and keep the old screen
	_tm respawn-pane -k -t t "export LC_ALL=C.UTF-8; clear; \
tmux -L $TMUX_NAME clear-history -t t; tmux -L $TMUX_NAME wait-for $go; $1; \
tmux -L $TMUX_NAME wait-for -S $TMUX_DONE; exec sleep 100000" || return 1
	if [ -n "$record" ]; then
		: >"$record"
		TMUX_PIPED=piped-$TMUX_N
		# the channel says the last byte is in the file
		_tm pipe-pane -t t "cat >>'$record'; tmux -L $TMUX_NAME wait-for -S $TMUX_PIPED"
	fi
	_tm wait-for -S "$go"
}

tmux_wait() {
	timeout 60 tmux -L "$TMUX_NAME" wait-for "$TMUX_DONE" || {
		echo "tmux_wait: the command did not finish in 60 s" >&2
		return 1
	}
	if [ -n "$TMUX_PIPED" ]; then
		_tm pipe-pane -t t
		timeout 10 tmux -L "$TMUX_NAME" wait-for "$TMUX_PIPED" || {
			echo "tmux_wait: the recording did not end" >&2
			return 1
		}
	fi
}

tmux_run() { tmux_start "$@" && tmux_wait; }

tmux_screen() { _tm capture-pane -p -J -t t -S - -E -; }
tmux_rows() { _tm capture-pane -p -t t -S - -E -; }

tmux_resize() { _tm resize-window -t t -x "$1"; }

tmux_cells() { # STRING
	local x
	# after the X, so a zero-width mark has something to sit on; the
	# channel says printf is done (its one write is then on the screen)
	TMUX_N=$((TMUX_N + 1))
	_tm respawn-pane -k -t t "printf 'X%s' '$1'; tmux -L $TMUX_NAME wait-for -S cells-$TMUX_N; exec sleep 100000" || return 1
	timeout 10 tmux -L "$TMUX_NAME" wait-for "cells-$TMUX_N" || {
		echo "tmux_cells: the pane did not print '$1'" >&2
		return 1
	}
	for _ in $(seq 50); do
		x=$(_tm display-message -p -t t '#{cursor_x}')
		[ "$x" -gt 0 ] 2>/dev/null && break
		sleep 0.02
	done
	[ "$x" -gt 0 ] 2>/dev/null || {
		echo "tmux_cells: no cursor position for '$1'" >&2
		return 1
	}
	echo $((x - 1))
}
