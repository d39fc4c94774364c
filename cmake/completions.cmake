# Writes yumda's bash and zsh completions from the CLI itself: the verbs, the
# global options and each verb's options as `yumda --help` and `yumda VERB
# --help` print them, so a new verb or flag is completed without editing
# anything here. Run by the build (CMakeLists.txt, cmake/packaging.cmake):
#
#   cmake -DYUMDA=build/yumda -DBASH_OUT=... -DZSH_OUT=... -P cmake/completions.cmake
#
# What a value may be (--runtime al2023|al2|al1, --arch …, files, directories)
# is known only here: VALUES below. An option the CLI no longer has is left out.
cmake_minimum_required(VERSION 3.20)
foreach(v YUMDA BASH_OUT ZSH_OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "completions.cmake: -D${v}=... is required")
  endif()
endforeach()

# Option -> what its value is: a word list, or @file / @dir.
set(VALUES
  "-c|--config=@file"
  "--runtime=al2023 al2 al1"
  "--arch|--forcearch=x86_64 aarch64 amd64 arm64"
  "--baseline=al2023 al2 al1 none @file"
  "--root|--installroot=@dir"
  "--color=auto always never"
  "--lockfile|--locked=@file"
  "--destdir|--downloaddir=@dir"
  "-o|--output=@file"
  "-f|--file=@file"
  "--format=spdx cyclonedx")
# Verb -> what its positional arguments are.
set(POSITIONALS
  "clean=metadata packages all")

# The text of `yumda ARGS --help`, with ; [ ] (which CMake lists treat
# specially) swapped for markers, split into lines.
function(help_lines out)
  execute_process(COMMAND ${YUMDA} ${ARGN} --help
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${YUMDA} ${ARGN} --help failed (${rc}): ${err}")
  endif()
  mark(text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(mark out s)
  string(REPLACE ";" "@SEMI@" s "${s}")
  string(REPLACE "[" "@LB@" s "${s}")
  string(REPLACE "]" "@RB@" s "${s}")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

function(unmark out s)
  string(REPLACE "@SEMI@" ";" s "${s}")
  string(REPLACE "@LB@" "[" s "${s}")
  string(REPLACE "@RB@" "]" s "${s}")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

# Parses one section ("Options:" or "Subcommands:") of help lines into
# PREFIX_N (count) and PREFIX_<i>_NAMES / _ARG (0/1) / _MULTI (0/1) / _DESC.
# CLI11 prints a name too wide for its column alone, its description on the
# next line: such a continuation line is added to the previous entry.
function(parse_section lines section prefix)
  set(in 0)
  set(n 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "${section}")
      set(in 1)
      continue()
    endif()
    if(NOT in)
      continue()
    endif()
    if(line STREQUAL "" OR line MATCHES "^[^ ]")
      break()
    endif()
    if(line MATCHES "^  ([^ ].*)$")
      string(REGEX MATCH "^  ([^ ,]+(, ?[^ ,]+)*)(( [A-Z][^ ]*)( \\.\\.\\.)?)?( REQUIRED)?( +(.*))?$" m "${line}")
      if(NOT m)
        message(FATAL_ERROR "completions.cmake: cannot read help line: ${line}")
      endif()
      set(names "${CMAKE_MATCH_1}")
      set(arg 0)
      set(multi 0)
      if(CMAKE_MATCH_4)
        set(arg 1)
      endif()
      if(CMAKE_MATCH_5)
        set(multi 1)
      endif()
      set(desc "${CMAKE_MATCH_8}")
      string(REPLACE ", " "," names "${names}")
      string(REPLACE "," ";" names "${names}")
      math(EXPR n "${n} + 1")
      set(${prefix}_${n}_NAMES "${names}" PARENT_SCOPE)
      set(${prefix}_${n}_ARG ${arg} PARENT_SCOPE)
      set(${prefix}_${n}_MULTI ${multi} PARENT_SCOPE)
      set(${prefix}_${n}_DESC "${desc}" PARENT_SCOPE)
      set(last_desc "${desc}")
    elseif(n GREATER 0)
      string(STRIP "${line}" more)
      string(STRIP "${last_desc} ${more}" last_desc)
      set(${prefix}_${n}_DESC "${last_desc}" PARENT_SCOPE)
    endif()
  endforeach()
  set(${prefix}_N ${n} PARENT_SCOPE)
endfunction()

# The value spec (from VALUES) of an option with these names, or "".
function(value_of out names)
  set(${out} "" PARENT_SCOPE)
  foreach(entry IN LISTS VALUES)
    string(REGEX REPLACE "=.*" "" keys "${entry}")
    string(REGEX REPLACE "^[^=]*=" "" spec "${entry}")
    string(REPLACE "|" ";" keys "${keys}")
    foreach(k IN LISTS keys)
      if(k IN_LIST names)
        set(${out} "${spec}" PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
endfunction()

help_lines(top)
parse_section("${top}" "Options:" G)
parse_section("${top}" "Subcommands:" V)
if(G_N EQUAL 0 OR V_N EQUAL 0)
  message(FATAL_ERROR "completions.cmake: no options or no subcommands in `${YUMDA} --help`")
endif()

# --- shared tables: every option of every scope with its value spec
set(all_verbs "")
foreach(i RANGE 1 ${V_N})
  list(APPEND all_verbs ${V_${i}_NAMES})
  list(GET V_${i}_NAMES 0 verb)
  help_lines(vl ${verb})
  parse_section("${vl}" "Options:" O${i})
  parse_section("${vl}" "Positionals:" P${i})
endforeach()

# =========================== bash ===========================
set(g_words "")
set(arg_words "")
set(value_cases "")
set(seen_value "")
macro(bash_note_option prefix idx)
  list(JOIN ${prefix}_${idx}_NAMES " " _w)
  string(APPEND _scope_words " ${_w}")
  if(${prefix}_${idx}_ARG)
    string(APPEND arg_words " ${_w}")
    value_of(_spec "${${prefix}_${idx}_NAMES}")
    list(JOIN ${prefix}_${idx}_NAMES "|" _pat)
    if(NOT _pat IN_LIST seen_value)
      list(APPEND seen_value "${_pat}")
      if(_spec STREQUAL "@file")
        string(APPEND value_cases "    ${_pat}) _yumda_files; return ;;\n")
      elseif(_spec STREQUAL "@dir")
        string(APPEND value_cases "    ${_pat}) _yumda_files -d; return ;;\n")
      elseif(_spec MATCHES "@file")
        string(REPLACE "@file" "" _ws "${_spec}")
        string(STRIP "${_ws}" _ws)
        string(APPEND value_cases "    ${_pat}) COMPREPLY=($(compgen -W '${_ws}' -- \"$cur\")); _yumda_files append; return ;;\n")
      elseif(_spec)
        string(APPEND value_cases "    ${_pat}) COMPREPLY=($(compgen -W '${_spec}' -- \"$cur\")); return ;;\n")
      else()
        string(APPEND value_cases "    ${_pat}) return ;;\n")
      endif()
    endif()
  endif()
endmacro()

set(_scope_words "")
foreach(i RANGE 1 ${G_N})
  bash_note_option(G ${i})
endforeach()
string(STRIP "${_scope_words}" g_words)
set(verb_cases "")
set(pos_cases "")
foreach(i RANGE 1 ${V_N})
  set(_scope_words "")
  if(O${i}_N GREATER 0)
    foreach(j RANGE 1 ${O${i}_N})
      bash_note_option(O${i} ${j})
    endforeach()
  endif()
  string(STRIP "${_scope_words}" w)
  list(JOIN V_${i}_NAMES "|" pat)
  string(APPEND verb_cases "    ${pat}) opts='${w}' ;;\n")
  list(GET V_${i}_NAMES 0 verb)
  foreach(entry IN LISTS POSITIONALS)
    if(entry MATCHES "^${verb}=(.*)$")
      string(APPEND pos_cases "    ${pat}) COMPREPLY=($(compgen -W '${CMAKE_MATCH_1}' -- \"$cur\")) ;;\n")
    endif()
  endforeach()
endforeach()
list(JOIN all_verbs " " verbs_words)
string(STRIP "${arg_words}" arg_words)

set(bash "# bash completion for yumda                                 -*- shell-script -*-
# Generated from `yumda --help` and `yumda VERB --help` by
# cmake/completions.cmake: the verbs, the global options (before or after the
# verb, as yumda takes them) and each verb's options.

_yumda_files()
{
    local IFS=$'\\n' dir_only=
    [[ \${1-} == -d ]] && dir_only=1
    [[ \${1-} == append ]] || COMPREPLY=()
    if [[ -n $dir_only ]]; then
        COMPREPLY+=($(compgen -d -- \"$cur\"))
    else
        COMPREPLY+=($(compgen -f -- \"$cur\"))
    fi
    compopt -o filenames 2>/dev/null
}

_yumda()
{
    local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
    local global_opts='${g_words}'
    local arg_opts=' ${arg_words} '
    local verbs='${verbs_words}'
    COMPREPLY=()

    case $prev in
${value_cases}    esac

    # The verb: the first word that is not an option or an option's value.
    local verb= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case \${COMP_WORDS[i]} in
            --) break ;;
            -*=*) ;;
            -*) [[ $arg_opts == *\" \${COMP_WORDS[i]} \"* ]] && ((i++)) ;;
            *) verb=\${COMP_WORDS[i]}; break ;;
        esac
    done

    if [[ -z $verb ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W \"$global_opts\" -- \"$cur\"))
        else
            COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\"))
        fi
        return
    fi

    local opts=
    case $verb in
${verb_cases}    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W \"$opts $global_opts\" -- \"$cur\"))
        return
    fi
    case $verb in
${pos_cases}    esac
} &&
    complete -F _yumda yumda
")
unmark(bash "${bash}")
file(WRITE "${BASH_OUT}" "${bash}")

# =========================== zsh ===========================
# One _arguments spec per option: '(-c --config)'{-c,--config}'[desc]:value:action'
function(zsh_escape out s)
  unmark(s "${s}")
  string(REPLACE "\\" "\\\\" s "${s}")
  string(REPLACE "[" "\\[" s "${s}")
  string(REPLACE "]" "\\]" s "${s}")
  string(REPLACE "'" "'\\''" s "${s}")
  mark(s "${s}")  # back to markers for the trip through CMake lists and strings
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

function(zsh_spec out prefix idx)
  set(names ${${prefix}_${idx}_NAMES})
  zsh_escape(desc "${${prefix}_${idx}_DESC}")
  list(LENGTH names count)
  list(JOIN names " " excl)
  list(JOIN names "," brace)
  set(star "")
  if(${prefix}_${idx}_MULTI)
    set(star "*")
  endif()
  if(count GREATER 1)
    if(star)
      set(head "'*'{${brace}}'")
    else()
      set(head "'(${excl})'{${brace}}'")
    endif()
  else()
    set(head "'${star}${names}")
  endif()
  set(tail "")
  if(${prefix}_${idx}_ARG)
    value_of(spec "${names}")
    if(spec STREQUAL "@file")
      set(tail ":file:_files")
    elseif(spec STREQUAL "@dir")
      set(tail ":directory:_files -/")
    elseif(spec MATCHES "@file")
      string(REPLACE "@file" "" ws "${spec}")
      string(STRIP "${ws}" ws)
      set(tail ":value:{_alternative 'names:name:(${ws})' 'files:file:_files'}")
      string(REPLACE "'" "'\\''" tail "${tail}")
    elseif(spec)
      set(tail ":value:(${spec})")
    else()
      set(tail ":value: ")
    endif()
  endif()
  set(${out} "${head}@LB@${desc}@RB@${tail}'" PARENT_SCOPE)
endfunction()

set(g_specs "")
foreach(i RANGE 1 ${G_N})
  zsh_spec(s G ${i})
  string(APPEND g_specs "    ${s}\n")
endforeach()
set(verb_descs "")
set(verb_cases "")
foreach(i RANGE 1 ${V_N})
  zsh_escape(d "${V_${i}_DESC}")
  foreach(name IN LISTS V_${i}_NAMES)
    string(APPEND verb_descs "    '${name}:${d}'\n")
  endforeach()
  set(specs "")
  if(O${i}_N GREATER 0)
    foreach(j RANGE 1 ${O${i}_N})
      zsh_spec(s O${i} ${j})
      list(GET O${i}_${j}_NAMES 0 first)
      if(first STREQUAL "-h")
        continue()  # -h,--help is among the global options already
      endif()
      string(APPEND specs " \\\n        ${s}")
    endforeach()
  endif()
  list(GET V_${i}_NAMES 0 verb)
  set(pos "'*:argument:_default'")
  foreach(entry IN LISTS POSITIONALS)
    if(entry MATCHES "^${verb}=(.*)$")
      set(pos "'1:what:(${CMAKE_MATCH_1})'")
    endif()
  endforeach()
  list(JOIN V_${i}_NAMES "|" pat)
  string(APPEND verb_cases "    (${pat})\n      _arguments -s -S $global${specs} \\\n        ${pos} && ret=0 ;;\n")
endforeach()

set(zsh "#compdef yumda
# zsh completion for yumda. Generated from `yumda --help` and `yumda VERB
# --help` by cmake/completions.cmake: the verbs, the global options (before or
# after the verb, as yumda takes them) and each verb's options.

_yumda() {
  local curcontext=$curcontext state line ret=1
  local -a global
  global=(
${g_specs}  )
  local -a verbs
  verbs=(
${verb_descs}  )

  _arguments -C -s -S $global '1: :->verb' '*:: :->args' && ret=0
  case $state in
  (verb)
    _describe -t commands 'yumda command' verbs && ret=0 ;;
  (args)
    curcontext=\${curcontext%:*:*}:yumda-$words[1]:
    case $words[1] in
${verb_cases}    (*)
      _default && ret=0 ;;
    esac ;;
  esac
  return ret
}

_yumda \"$@\"
")
unmark(zsh "${zsh}")
file(WRITE "${ZSH_OUT}" "${zsh}")
