/* cmd_nn — the front-end commands of the float training engine:
 *
 *   aeaudit train    --data NAME|PATH ... --out model.aem   train an autoencoder
 *   aeaudit eval     model.aem --data NAME|PATH ...         per-sample scores
 *   aeaudit describe model.aem                               architecture and record
 *
 * Each takes the command's argv (argv[0] = the command name), prints its own --help, and
 * returns the process exit code: 0 success, 1 training diverged (NaN/Inf loss; no model
 * written), 2 usage or input error (one line "aeaudit CMD: reason" on stderr).
 * Results go to stdout; progress and errors to stderr.
 */
#ifndef CMD_NN_H
#define CMD_NN_H

int aeaudit_cmd_train(int argc, char **argv);
int aeaudit_cmd_eval(int argc, char **argv);
int aeaudit_cmd_describe(int argc, char **argv);

#endif
