set terminal pngcairo size 1100,520 font 'sans,10' noenhanced
set output '../forwarding.png'
set multiplot layout 1,2 title 'Forwarding on a net_null pair, 1 forwarding lcore (median; bars: min..max)'
set style fill solid 0.6 border -1
set boxwidth 0.6
set yrange [0:*]
set grid y
set ylabel 'Mpps'
set xtics rotate by -30 left
unset key
set title 'labyrinth-fwd vs dpdk-testpmd'
plot 'forwarding.dat' index 0 using 0:2:(0.6):(int($0) % 2 == 0 || int($0) == 4 ? 1 : 2):xtic(1) with boxes lc variable, \
  '' index 0 using 0:2:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 0
set title 'dpdk-testpmd io, mbuf pool ops'
plot 'forwarding.dat' index 1 using 0:2:(0.6):(int($0) % 3 == 0 ? 1 : int($0) % 3 == 1 ? 2 : 3):xtic(1) with boxes lc variable, \
  '' index 1 using 0:2:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 0
unset multiplot
