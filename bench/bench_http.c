/*
 * bench_http.c - the HTTP baselines of the node benchmark, and its entry point.
 *
 *   bench_http                      run bench/http.sh (what `make bench` does):
 *                                   wrk against nginx, this bare server and the
 *                                   node, side by side, in one run
 *   bench_http serve PORT [THREADS] the bare libevent server: evhttp answering
 *                                   every request with the same fixed 300-byte
 *                                   body, THREADS loops on SO_REUSEPORT sockets
 *   bench_http freeport             print a free loopback TCP port
 *
 * The bare server is the floor of what the node's HTTP layer costs: same
 * libevent, same evhttp, no TLS, no routing, no work. The node's figure beside
 * it says what parsing, policy, audit and lookup add.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char body[300];

static void answer(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
    evbuffer_add(evhttp_request_get_output_buffer(req), body, sizeof(body));
    evhttp_send_reply(req, 200, "OK", NULL);
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0) {
        perror("bench_http: listen");
        exit(2);
    }
    return fd;
}

static void *loop(void *arg)
{
    int port = *(int *)arg;
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, answer, NULL);
    if (!evhttp_accept_socket_with_handle(http, listen_on(port))) {
        fprintf(stderr, "bench_http: cannot accept\n");
        exit(2);
    }
    event_base_dispatch(base);
    return NULL;
}

static int serve(int port, int threads)
{
    memset(body, 'x', sizeof(body));
    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < threads; i++) {
        pthread_t t;
        pthread_create(&t, NULL, loop, &port);
    }
    loop(&port);
    return 0;
}

static int freeport(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t len = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return 2;
    printf("%d\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "serve") == 0)
        return serve(atoi(argv[2]), argc >= 4 ? atoi(argv[3]) : 1);
    if (argc == 2 && strcmp(argv[1], "freeport") == 0)
        return freeport();
    if (argc > 1) {
        fprintf(stderr, "usage: bench_http [serve PORT [THREADS] | freeport]\n");
        return 2;
    }
    /* The build directory is where this program is; the script is in the
     * source tree above it (build/ sits in the repository). */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 2;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    char script[PATH_MAX + 32];
    snprintf(script, sizeof(script), "%s/../bench/http.sh", self);
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "bench_http: cannot find '%s'\n", script);
        return 2;
    }
    execlp("bash", "bash", script, "--build", self, (char *)NULL);
    perror("bench_http: bash");
    return 2;
}
