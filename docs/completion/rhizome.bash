# bash completion for rhizome (make install puts it in
# $(PREFIX)/share/bash-completion/completions/rhizome).
# Commands, their options, and for --env the environments and folders of
# the config the line names (or the one rhizome would find).

_rhizome_config_names() { # CONFIG: environment and folder names
	local cfg=$1
	[ -f "$cfg" ] || return 0
	sed -n -e 's/^\[environment[[:space:]]\{1,\}\([^]]*\)\].*/\1/p' \
		-e 's/^folder[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' "$cfg" |
		sort -u
}

_rhizome() {
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local global="--config --out --workers --quiet --progress --shard --log-format --help --version"
	local i cmd="" sub="" cfg=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config) cfg=${words[i + 1]} ;;
		--config=*) cfg=${words[i]#--config=} ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then cmd=${words[i]}
			elif [ -z "$sub" ] && { [ "$cmd" = sync ] || [ "$cmd" = history ] || [ "$cmd" = gen ]; }; then sub=${words[i]}
			fi ;;
		esac
	done
	case $prev in
	-c | --config | -o | --out | --report)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--log-format | -f | --format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--progress) COMPREPLY=($(compgen -W "auto bar lines none" -- "$cur")); return ;;
	--unlisted) COMPREPLY=($(compgen -W "report drift" -- "$cur")); return ;;
	--command) COMPREPLY=($(compgen -W "schema data restore" -- "$cur")); return ;;
	--against) COMPREPLY=($(compgen -W "live latest" -- "$cur")); return ;;
	-e | --env | --into)
		[ -n "$cfg" ] || cfg=${RHIZOME_CONFIG:-rhizome.cnf}
		[ -d "$cfg" ] && cfg=$cfg/rhizome.cnf
		COMPREPLY=($(compgen -W "$(_rhizome_config_names "$cfg")" -- "$cur")); return ;;
	-w | --workers | --shard | --rows | --table | --max-age | --keep | --older-than) return ;;
	esac
	local opts=""
	case $cmd/$sub in
	/) COMPREPLY=($(compgen -W "sync status history verify tables gen load $global" -- "$cur")); return ;;
	gen/) COMPREPLY=($(compgen -W "models" -- "$cur")); return ;;
	sync/) COMPREPLY=($(compgen -W "schema data report check diff versions" -- "$cur")); return ;;
	history/) COMPREPLY=($(compgen -W "list show restore prune" -- "$cur")); return ;;
	sync/schema) opts="--env --verbose --dry-run --write-trivial --keep-removed --format" ;;
	sync/data) opts="--env --verbose --dry-run --rows --follow-keys --keep-removed --format --all --table --resume --chunk-rows" ;;
	sync/report) opts="--env --format" ;;
	sync/check) opts="--env --verbose --unlisted --format" ;;
	sync/diff) opts="--env --against --format --report --ignore-int-width --utf8-is-utf8mb3 --ignore-default-charset --ignore-index-order" ;;
	sync/versions) opts="--table --format" ;;
	status/) opts="--env --command --max-age --format" ;;
	verify/) opts="--env --format" ;;
	tables/) opts="--env --format" ;;
	gen/models) opts="--table --dry-run --format" ;;
	load/) opts="--env --into --table --schema-only --bulk --replace --verbose --format" ;;
	history/list) opts="--env --command --format" ;;
	history/show) opts="--format" ;;
	history/restore) opts="--env --table --dry-run" ;;
	history/prune) opts="--keep --older-than --dry-run" ;;
	esac
	COMPREPLY=($(compgen -W "$opts $global --help" -- "$cur"))
}
complete -F _rhizome rhizome
