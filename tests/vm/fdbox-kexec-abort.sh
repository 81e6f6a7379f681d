# vmrun-opts: -k 1
# vmrun-cost: 120
# A kexec that is loaded and then unloaded (kexec -u) changes nothing: the
# sealed box can be unsealed and its memfd used again. A second seal then
# travels across a real kexec.
F=/tests/fdbox
case $STAGE in
1)
	head -c 4194304 /dev/urandom >/etc/fdbox/abort.data
	ktap_run "abort: save" $F -q save abort /etc/fdbox/abort.data
	ktap_run "abort: kexec -s -l" kexec -s -l /boot/bzImage --reuse-cmdline
	ktap_run "abort: kexec -u" kexec -u
	ktap_run "abort: unseal after kexec -u" $F -q unseal abort
	ktap_run "abort: get" $F -q get abort abort.data /tmp/abort.out
	ktap_run "abort: content intact" cmp /tmp/abort.out /etc/fdbox/abort.data
	ktap_run "abort: put again" $F -q put abort again /tmp/abort.out
	ktap_run "abort: seal again" $F -q seal abort
	fdbox_kexec
	;;
2)
	ktap_run "abort: restore after the real kexec" $F -q restore abort /tmp
	ktap_run "abort: content after kexec" cmp /tmp/again /etc/fdbox/abort.data
	;;
esac
