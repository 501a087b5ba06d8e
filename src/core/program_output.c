// SPDX-License-Identifier: MIT
// Program output: each process's line, escaped and buffered until it is whole.
//
// A process builds its current line in its own buffer (struct process), so a parent's half
// line and a child's output never mix, and hands the console only whole lines, through
// console_write_line, apart from the kernel's own line buffer of the CPU. The text is kept
// escaped (format_escape_byte): a CR, an ESC or a newline in the middle of a write can neither
// move a terminal's cursor nor start a line of its own. A line longer than the buffer goes out
// in pieces, each after a `NAME[PID]+ ` prefix past the first; a line still unfinished when the
// process ends goes out with the marker `\(no newline)`, which escaped text cannot contain.
//
// Only the CPU the process runs on touches its buffer: from SYS_write, and from process_end
// once the process will never run again.
#include "core/program_output.h"
#include "core/console.h"
#include "core/format.h"
#include "core/process.h"
#include "core/string.h"

#define NO_NEWLINE_MARK "\\(no newline)"

// Sends out the process's buffered line with its prefix; `how` ends it: "\n" or a marker.
static void send_line(struct process *p, const char *how)
{
    // prefix (name, pid, separator) + text + marker + newline
    char line[PROCESS_NAME_MAX + 16 + PROGRAM_LINE_MAX + sizeof NO_NEWLINE_MARK + 1];
    int n = format_buf(line, sizeof line, "%s[%d]%s", p->name, p->pid, p->out_continued ? "+ " : ": ");
    // [mutant program-lines-marked: "(size_t)n < sizeof line ? (size_t)n : sizeof line - 1" -> "0 * (size_t)n"]
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    memcpy(line + len, p->out, p->out_len);
    len += p->out_len;
    size_t tail = strlen(how);
    memcpy(line + len, how, tail);
    len += tail;
    if (line[len - 1] != '\n')
        line[len++] = '\n';
    console_write_line(line, len);
    p->out_len = 0;
}

// SYS_write to the console: adds `n` bytes the program wrote to its line, sending out each
// line that is whole and each piece that fills the buffer.
void program_output_write(struct process *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            send_line(p, "\n");
            p->out_continued = false;
            continue;
        }
        char esc[FORMAT_ESCAPE_MAX];
        unsigned char c = (unsigned char)s[i];
        // [mutant program-output-escaped: "format_escape_byte(esc, c)" -> "(*esc = (char)c, 1)"]
        size_t k = format_escape_byte(esc, c);
        if (p->out_len + k > PROGRAM_LINE_MAX) {
            send_line(p, "\n");
            p->out_continued = true; // the next piece is marked `NAME[PID]+ `
        }
        memcpy(p->out + p->out_len, esc, k);
        p->out_len += k;
    }
}

// The process ends (exit, fault, time limit): a line it left unfinished goes out, marked.
void program_output_end(struct process *p)
{
    if (p->out_len > 0 || p->out_continued)
        send_line(p, NO_NEWLINE_MARK);
    p->out_continued = false;
}
