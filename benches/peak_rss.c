/* peak_rss OUT COMMAND [ARG...]: runs COMMAND and writes "<peak RSS in KiB> <exit status>" to
 * the file OUT. A small process of its own forks the command, so the peak is the command's
 * alone: a child spawned straight from a large interpreter reports the interpreter's memory
 * as its own peak (Linux carries the parent's high-water mark across vfork and exec). */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: peak_rss OUT COMMAND [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("exec");
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("wait4");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("fopen");
        return 2;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "%ld %d\n", usage.ru_maxrss, code);
    fclose(out);
    return 0;
}
