set terminal pngcairo size 1200,720 font ',10'
set output 'plot.png'
set multiplot layout 2,2 title '1-4 VMs, guests of 4 vCPUs on 4 CPUs (tcg-icount-4cpu), 2026-11-29'
set xlabel 'VMs on the same CPUs'
set ylabel 'median rate / baseline median'
set xtics 1
set grid
set key top left
set xrange [0.7:4.3]
set yrange [0.501641:2.92772]
set title 'dedup (MiB/s)'
plot 'plot.dat' index 0 using ($2+-0.06):6:7:8 with yerrorlines title 'kvm', 'plot.dat' index 0 using ($2+0.0):9:10:11 with yerrorlines title 'sched', 'plot.dat' index 0 using ($2+0.06):12:13:14 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
set title 'vips (pipelines/s)'
plot 'plot.dat' index 1 using ($2+-0.06):6:7:8 with yerrorlines title 'kvm', 'plot.dat' index 1 using ($2+0.0):9:10:11 with yerrorlines title 'sched', 'plot.dat' index 1 using ($2+0.06):12:13:14 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
set title 'ipi (calls/s)'
plot 'plot.dat' index 2 using ($2+-0.06):6:7:8 with yerrorlines title 'kvm', 'plot.dat' index 2 using ($2+0.0):9:10:11 with yerrorlines title 'sched', 'plot.dat' index 2 using ($2+0.06):12:13:14 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
set title 'control (rounds/s)'
plot 'plot.dat' index 3 using ($2+-0.06):6:7:8 with yerrorlines title 'kvm', 'plot.dat' index 3 using ($2+0.0):9:10:11 with yerrorlines title 'sched', 'plot.dat' index 3 using ($2+0.06):12:13:14 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
unset multiplot
